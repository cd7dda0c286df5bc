"""Time certificate PDFs: WeasyPrint's floor, rendering one certificate, and downloading a stored one.

Run from the project root with `make bench` or `.venv/bin/python bench/certificates.py`. Builds its own data in a
throwaway SQLite database, media and certificate directory (removed afterwards) and prints the median and 95th
percentile of N runs of each step, all measured in this run, after one warm-up run that isn't counted.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts bench/ first on the path, where this file would shadow the certificates app.
sys.path[:] = [str(ROOT), *(entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench")]

RUNS = 10


def timed(step: Callable[[], object], runs: int = RUNS) -> list[float]:
    """Milliseconds of each of `runs` calls of step, after one warm-up call."""
    step()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def setup_django(tmp: Path) -> None:
    """Point Django at a throwaway database, media and certificate directory, then set it up and migrate."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "lms.settings_test",
            "LMS_READ_DOTENV": "0",
            "DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(tmp / "media"),
            "CERTIFICATE_ROOT": str(tmp / "certificates"),
        }
    )
    import django

    # The test settings give certificates a fresh temporary directory of their own: make it inside ours.
    system_tmp, tempfile.tempdir = tempfile.tempdir, str(tmp)
    try:
        django.setup()
    finally:
        tempfile.tempdir = system_tmp

    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def issued_certificate():
    """A programme with a signature and one trainee who has just earned its certificate (rendered and stored)."""
    import io

    from django.core.files.images import ImageFile
    from PIL import Image, ImageDraw
    from wagtail.images import get_image_model

    from certificates.models import Certificate
    from tests.factories import (
        UserFactory,
        approve_programme_hours,
        build_assignment,
        build_programme,
    )

    picture = Image.new("RGBA", (600, 160), (255, 255, 255, 0))
    ImageDraw.Draw(picture).line([(20, 120), (120, 40), (200, 130), (300, 50), (420, 110)], fill="#14205a", width=6)
    png = io.BytesIO()
    picture.save(png, format="PNG")
    signature = get_image_model().objects.create(
        title="Signature", file=ImageFile(io.BytesIO(png.getvalue()), name="signature.png")
    )
    programme = build_programme(signature_image=signature)
    assignment = build_assignment(trainee=UserFactory(first_name="Jordan", last_name="Ellis"))
    approve_programme_hours(assignment)
    certificate = Certificate.objects.get(holder=assignment.trainee, programme=programme)
    if certificate.rendering != Certificate.Rendering.READY:
        raise SystemExit(f"The benchmark certificate didn't render: {certificate.render_error}")
    return certificate


def download_step(certificate) -> tuple[str, Callable[[], bytes]]:
    """(label, step) for fetching the stored A4 PDF: through the download view as its holder when it exists,
    else straight from the storage."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    stored = certificate.files.get(paper="a4")
    expected = stored.size

    def from_storage() -> bytes:
        with stored.file.open("rb") as handle:
            return handle.read()

    try:
        url = reverse("certificate_download", kwargs={"pk": certificate.pk, "paper": "a4"})
    except NoReverseMatch:
        return "read stored A4 file from storage (no download view yet)", from_storage
    client = Client()
    client.force_login(certificate.holder)

    def through_view() -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if len(body) != expected:
            raise RuntimeError(f"GET {url} gave {len(body)} bytes, the stored file has {expected}")
        return body

    try:
        through_view()
    except RuntimeError as error:
        return f"read stored A4 file from storage (download view failed: {error})", from_storage
    return f"GET {url} as the holder", through_view


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as directory:
        tmp = Path(directory)
        setup_django(tmp)

        import weasyprint

        from certificates import rendering

        certificate = issued_certificate()
        label, download = download_step(certificate)
        rows = [
            ("WeasyPrint: one-line HTML to PDF", timed(lambda: weasyprint.HTML(string="<p>Hello</p>").write_pdf())),
            ("certificate_pdf: one certificate, A4", timed(lambda: rendering.certificate_pdf(certificate, "a4"))),
            (f"download: {label}", timed(download)),
        ]

        from django.db import connections

        connections.close_all()

    width = max(len(name) for name, _ in rows)
    print(f"Certificate PDFs: {RUNS} runs each after one warm-up; WeasyPrint {weasyprint.__version__}, SQLite")
    print(f"{'step':<{width}}  {'median ms':>10}  {'p95 ms':>8}")
    for name, samples in rows:
        print(f"{name:<{width}}  {statistics.median(samples):>10.1f}  {p95(samples):>8.1f}")


if __name__ == "__main__":
    main()
