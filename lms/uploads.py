"""Image uploads: each original is decoded and re-encoded with Pillow, keeping only pixels and a colour profile."""

import threading
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image, ImageFile, ImageOps
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

# The formats WAGTAILIMAGES_EXTENSIONS allows, by extension: Pillow's name for it and its content type.
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpg": ("JPEG", "image/jpeg"),
    "jpeg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}
UNREADABLE = (
    "This file could not be read as a %(format)s image: it may be damaged, or its contents may not match its "
    "name. Upload a PNG, JPEG or WebP image."
)
UNSUPPORTED = "Only PNG, JPEG and WebP images can be uploaded."
# Pillow raises these for damaged, truncated or disguised files (and DecompressionBombError, an Exception).
PILLOW_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
_pillow_flag_lock = threading.Lock()


@contextmanager
def _truncated_images_refused():
    """Make Pillow refuse truncated images while decoding an upload.

    WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES when imported, so Image.load() would otherwise fill
    the missing rows of a damaged file with grey and accept it. The flag is process-wide: the lock keeps two uploads
    from interleaving, and it is put back as it was straight after (the only other reader, WeasyPrint rendering a
    certificate in another thread at that instant, would just refuse a damaged picture too).
    """
    with _pillow_flag_lock:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _pixels_for(image: Image.Image, target: str) -> tuple[Image.Image, bool]:
    """The image in a mode the target format can store; and whether the mode was kept (so its ICC profile fits)."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    if target == "JPEG":
        if image.mode in {"RGB", "L", "CMYK"}:
            return image, True
        if has_alpha:
            rgba = image.convert("RGBA")
            flattened = Image.new("RGB", rgba.size, "white")
            flattened.paste(rgba, mask=rgba.getchannel("A"))
            return flattened, False
        return image.convert("RGB"), False
    if target == "PNG" and image.mode in {"RGB", "RGBA", "L", "LA"}:
        return image, True
    if target == "WEBP" and image.mode in {"RGB", "RGBA"}:
        return image, True
    return image.convert("RGBA" if has_alpha else "RGB"), False


def image_reencode(*, upload: UploadedFile) -> SimpleUploadedFile:
    """Decode an uploaded PNG, JPEG or WebP with Pillow and encode its pixels again in the same format.

    The copy keeps the pixels (turned upright by the EXIF orientation, the first frame of an animation) and the ICC
    colour profile, and nothing else: no EXIF (so no GPS position or camera serial), XMP, comments or text chunks.
    Raises ValidationError with code 'unsupported_image' for any other extension, and 'unreadable_image' when the
    contents are not a complete image of the format the extension names (Pillow can't open or decode it).
    """
    extension = Path(upload.name).suffix.lower().lstrip(".")
    if extension not in FORMATS:
        raise ValidationError(UNSUPPORTED, code="unsupported_image")
    target, content_type = FORMATS[extension]
    unreadable = ValidationError(UNREADABLE, code="unreadable_image", params={"format": target})
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        with Image.open(BytesIO(data), formats=[target]) as source:
            with _truncated_images_refused():
                source.load()
            upright = ImageOps.exif_transpose(source)
            icc_profile = source.info.get("icc_profile")
            pixels, mode_kept = _pixels_for(upright, target)
            # A new image from the raw pixels carries none of the original's info, EXIF or comments.
            clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
            options = {"icc_profile": icc_profile} if icc_profile and mode_kept else {}
            if target == "JPEG":
                options.update(quality=90, optimize=True)
            elif target == "WEBP":
                options.update(quality=90, method=4)
            output = BytesIO()
            clean.save(output, format=target, **options)
    except PILLOW_ERRORS as error:
        raise unreadable from error
    return SimpleUploadedFile(Path(upload.name).name, output.getvalue(), content_type=content_type)


class CheckedImageField(WagtailImageField):
    """Wagtail's image field, refusing (rather than failing on) files whose header Pillow can't make sense of.

    Wagtail 8.0 lets Pillow's error through, a server error, for a file that starts like a PNG or JPEG but isn't one.
    """

    def to_python(self, data):
        try:
            return super().to_python(data)
        except ValidationError:
            raise
        except Exception as error:  # anything else Willow or Pillow raise means "not an image"
            raise ValidationError(self.error_messages["invalid_image"], code="invalid_image") from error


class ReencodedImageForm(BaseImageForm):
    """Wagtail's image form (WAGTAILIMAGES_IMAGE_FORM_BASE) that stores a re-encoded copy of every uploaded original.

    Wagtail's own field has already checked the extension (WAGTAILIMAGES_EXTENSIONS), that the contents match it,
    the size (WAGTAILIMAGES_MAX_UPLOAD_SIZE) and the pixel count (WAGTAILIMAGES_MAX_IMAGE_PIXELS).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            field = self.fields["file"]
            self.fields["file"] = CheckedImageField(label=field.label, required=field.required, widget=field.widget)

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            return image_reencode(upload=file)
        return file
