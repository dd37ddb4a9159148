"""单位服务 under /employer/: the employers' pages (registration, 经办人, 批量申领, the employer's
applications) over the employers' domain (sscard.employers). An interface: no models."""
