from django.apps import AppConfig
from django.conf import settings


class PhotosConfig(AppConfig):
    name = "sscard.photos"
    verbose_name = "照片与材料上传"

    def ready(self) -> None:
        # Pillow's pixel limit lowered and its decompression-bomb warning made an error for the
        # whole process, whoever opens an image.
        import cv2

        from sscard.photos import imaging

        imaging.harden_pillow()
        # OpenCV starts a thread a core for its own work by default: in a worker that has one
        # thread (as served), a photo check would take a second core from another worker.
        cv2.setNumThreads(settings.SSCARD_OPENCV_THREADS)
