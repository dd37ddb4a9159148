"""What the interfaces share, so that none imports another: the public session and its trust
level, the sign-in forms (the public login, the account fields of a registration, the staff
login), the step-up page, the lock-out page and 人脸识别登录's start and callback
(/login/face/, where the portal, those two pages and WeChat send the browser). It sits under
portal, backoffice, wechat, the employers' pages and the partner API, and over the domain."""
