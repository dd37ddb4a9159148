"""人脸识别登录 walked with the simulated provider (sscard.testing.face_login)."""

from sscard.testing.face_login import back_channel, walk  # noqa: F401
