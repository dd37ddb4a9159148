from django.apps import AppConfig


class PhotosConfig(AppConfig):
    name = "sscard.photos"
    verbose_name = "照片与材料上传"

    def ready(self) -> None:
        # Pillow's pixel limit lowered and its decompression-bomb warning made an error for the
        # whole process, whoever opens an image.
        from sscard.photos import imaging

        imaging.harden_pillow()
