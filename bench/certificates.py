"""Time rendering one certificate PDF next to WeasyPrint's floor, a one-line document (used by bench/scale.py)."""

import io
import statistics
import time
from collections.abc import Callable


def timed(step: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of `runs` calls of step, after one warm-up call."""
    step()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def with_signature(programme) -> None:
    """Give the programme a signature image, as a real one has, unless it has one."""
    if programme.signature_image_id:
        return
    from django.core.files.images import ImageFile
    from PIL import Image, ImageDraw
    from wagtail.images import get_image_model

    picture = Image.new("RGBA", (600, 160), (255, 255, 255, 0))
    ImageDraw.Draw(picture).line([(20, 120), (120, 40), (200, 130), (300, 50), (420, 110)], fill="#14205a", width=6)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    programme.signature_image = get_image_model().objects.create(
        title="Signature", file=ImageFile(io.BytesIO(png.getvalue()), name="signature.png")
    )
    programme.save(update_fields=["signature_image"])


def render_times(certificate, *, runs: int) -> dict[str, float]:
    """Median milliseconds to render the certificate on A4 with its signed credential attached, as issuing does,
    and to render a one-line HTML document with WeasyPrint."""
    import weasyprint

    from certificates import rendering
    from certificates.pdf_storage import certificate_credential_sign

    with_signature(certificate.programme)
    credential = certificate_credential_sign(certificate=certificate).document
    certificate_ms = timed(lambda: rendering.certificate_pdf(certificate, "a4", credential=credential), runs)
    one_line_ms = timed(lambda: weasyprint.HTML(string="<p>Hello</p>").write_pdf(), runs)
    return {
        "certificate_ms": statistics.median(certificate_ms),
        "one_line_ms": statistics.median(one_line_ms),
        "runs": runs,
        "weasyprint": weasyprint.__version__,
    }
