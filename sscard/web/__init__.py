"""What the interfaces share, so that none imports another: the public session and its trust
level, the sign-in forms (the public login, the account fields of a registration, the staff
login), the step-up page and the lock-out page. It sits under portal, backoffice, wechat, the
employers' pages and the partner API, and over the domain."""
