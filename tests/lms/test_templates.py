"""The project's templates: links come from the URLconf or the page tree; one include draws every breadcrumb."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory

from tests.factories import build_course

ROOT = Path(settings.BASE_DIR).resolve()
BREADCRUMBS_INCLUDE = "includes/breadcrumbs.html"

# A literal site path: an attribute whose value starts with one "/" ("//host/…" is another site), a path glued onto
# the site's address ({{ site_url }}/practice/) or compared with one ({% if request.path == "/dashboard/" %}).
HARD_CODED_PATH = re.compile(
    r"""\b(?:href|action|formaction|src|srcset|poster|data-[\w-]+)\s*=\s*["']?/(?!/)"""
    r"""|\}\}/[\w-]"""
    r"""|(?:==|!=|\bin)\s*["']/[\w-]*/?["']"""
)

# Every literal path allowed, by template (relative to the project), with the reason.
ALLOWED = {
    # Django renders it with no context when the site has failed (a URLconf that doesn't import, a database that is
    # down), so it is deliberately plain HTML: a {% url %} there could fail in turn and leave a bare server error.
    "templates/500.html": {'href="/"'},
}


def template_files() -> list[Path]:
    """The project's own templates: the TEMPLATES dirs and the templates of the project's apps (not .venv)."""
    roots = [Path(d).resolve() for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    roots += [Path(app.path).resolve() / "templates" for app in apps.get_app_configs()]
    roots = [r for r in roots if r.is_dir() and r.is_relative_to(ROOT) and ".venv" not in r.relative_to(ROOT).parts]
    files = {p for r in roots for p in r.rglob("*") if p.is_file() and p.suffix in {".html", ".txt", ".xml"}}
    return sorted(files)


def test_the_scan_finds_the_templates():
    names = {p.relative_to(ROOT).as_posix() for p in template_files()}
    assert {"templates/base.html", "templates/500.html", f"templates/{BREADCRUMBS_INCLUDE}"} <= names
    assert "templates/certificates/emails/certificate_ready_body.txt" in names
    assert len(names) > 100


@pytest.mark.parametrize(
    "line",
    [
        '<a href="/courses/">',
        "<a href='/privacy/'>",
        '<form method="post" action="/accounts/logout/">',
        '<img src="/media/x.png">',
        "{{ site_url }}/dashboard/",
        '{% if request.path == "/dashboard/" %}',
        '<a href="/">',
    ],
)
def test_the_pattern_catches_literal_paths(line):
    assert HARD_CODED_PATH.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "<a href=\"{% url 'dashboard' %}\">",
        '<a href="{% pageurl course %}">',
        '<a href="//cdn.example.org/x.js">',
        '<a href="https://example.org/">',
        '<a href="#main">',
        "{{ site_url }}{% url 'dashboard' %}",
        '<link rel="stylesheet" href="{% static \'css/site.css\' %}">',
    ],
)
def test_the_pattern_passes_urls_from_tags(line):
    assert not HARD_CODED_PATH.search(line)


def test_no_template_hard_codes_a_site_path():
    found = []
    for path in template_files():
        name = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in HARD_CODED_PATH.finditer(line):
                if not any(allowed in line for allowed in ALLOWED.get(name, ())):
                    found.append(f"{name}:{number}: {match.group(0)!r} in {line.strip()[:120]}")
    assert not found, "Use {% url %}, {% pageurl %} or {% slugurl %}, not a literal path:\n" + "\n".join(found)


def test_every_allowed_exception_is_still_needed():
    for name, literals in ALLOWED.items():
        text = (ROOT / name).read_text(encoding="utf-8")
        assert all(literal in text for literal in literals), f"{name} no longer needs its exception"


BREADCRUMB_NAV = re.compile(r"""<nav\b[^>]*(?:\bbreadcrumb\b|aria-label\s*=\s*["']?breadcrumb)""", re.IGNORECASE)


def test_the_breadcrumb_include_is_the_only_breadcrumb_markup():
    files = template_files() + [
        p for p in ROOT.rglob("*.py") if not {".venv", "node_modules", "var", "tests"} & set(p.relative_to(ROOT).parts)
    ]
    holders = sorted(p.relative_to(ROOT).as_posix() for p in files if BREADCRUMB_NAV.search(p.read_text("utf-8")))
    assert holders == [f"templates/{BREADCRUMBS_INCLUDE}"]


def render(source: str, **context) -> BeautifulSoup:
    request = RequestFactory().get("/")
    html = Template("{% load navigation %}" + source).render(Context({"request": request, **context}))
    return BeautifulSoup(html, "html.parser")


def test_breadcrumbs_draws_the_trail_then_the_current_page():
    soup = render(
        '{% breadcrumbs "Dashboard" "/dashboard/" name "/my-data/" %}Close <b>{{ what }}</b>{% endbreadcrumbs %}',
        name="Your <data>",
        what="it & all",
    )
    nav = soup.find("nav")
    assert nav["class"] == ["breadcrumb"] and nav["aria-label"] == "Breadcrumb"
    items = nav.ol.find_all("li", recursive=False)
    assert [(li.a["href"], li.a.get_text()) for li in items[:-1]] == [
        ("/dashboard/", "Dashboard"),
        ("/my-data/", "Your <data>"),
    ]
    assert items[-1]["aria-current"] == "page" and items[-1].decode_contents() == "Close <b>it &amp; all</b>"
    assert len(soup.find_all("nav")) == 1


@pytest.mark.django_db
def test_breadcrumbs_links_pages_and_leaves_out_missing_ancestors():
    course, lessons = build_course(modules=1, lessons_per_module=1)
    soup = render(
        '{% breadcrumbs "Courses" "/courses/" course.title course module.title module %}'
        "{{ page.title }}{% endbreadcrumbs %}",
        course=course,
        page=lessons[0],  # and no module at all
    )
    links = [(a["href"], a.get_text()) for a in soup.select("nav li a")]
    assert links == [("/courses/", "Courses"), (course.url, course.title)]
    assert soup.select_one('li[aria-current="page"]').get_text() == lessons[0].title


def test_breadcrumbs_refuses_an_empty_url():
    with pytest.raises(ValueError, match="empty URL"):
        render('{% url "no-such-name" as gone %}{% breadcrumbs "Gone" gone %}Here{% endbreadcrumbs %}')
