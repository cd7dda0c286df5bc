"""Site-wide pages and the competency domains shared by courses, practice and certificates."""

from collections.abc import Callable
from typing import ClassVar

from django.db import models
from django.http import HttpRequest
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import PageStreamBlock
from lms.page_tree import TreeViewRestrictionsMixin


class CompetencyDomain(models.Model):
    """A competency domain (e.g. IC&RC 'Advocacy') that modules, questions and hours are tagged with."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    framework = models.CharField(max_length=60, default="IC&RC", help_text="The framework it comes from.")
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("framework"), FieldPanel("description")]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class HomePage(TreeViewRestrictionsMixin, Page):
    """The site's home page."""

    tagline = models.CharField(max_length=200, blank=True)
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])
    body = StreamField(PageStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("tagline"), FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CourseIndexPage", "content.StandardPage"]
    max_count = 1

    context_providers: ClassVar[list[Callable[[HttpRequest], dict]]] = []
    """Functions whose dicts join the page's context; the apps above content add theirs (courses: the live courses)."""

    def get_context(self, request, *args, **kwargs):
        """Add what every context provider gives, such as the published courses."""
        context = super().get_context(request, *args, **kwargs)
        for provider in self.context_providers:
            context.update(provider(request))
        return context


class StandardPage(TreeViewRestrictionsMixin, Page):
    """A plain content page, such as the privacy notice or the code of ethics."""

    intro = models.TextField(blank=True)
    body = StreamField(PageStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]


@register_setting(icon="warning")
class CrisisResources(BaseSiteSetting):
    """The crisis numbers lessons show in their 'Crisis resources where you work' box, set per site."""

    national_line = models.CharField(
        "national crisis line",
        max_length=200,
        blank=True,
        default="988 — call or text 988, or chat at 988lifeline.org",
        help_text="The national suicide and crisis line, with how to reach it.",
    )
    emergency_number = models.CharField(
        max_length=60, blank=True, default="911", help_text="The number to call when someone is in immediate danger."
    )
    mobile_crisis = models.CharField(
        "local mobile crisis team",
        max_length=200,
        blank=True,
        help_text="The team that comes out to a person in crisis where you work, with its number.",
    )
    on_call = models.CharField(
        "agency on-call line",
        max_length=200,
        blank=True,
        help_text="Your agency's on-call staff or supervisor line, with its hours.",
    )
    note = models.TextField(
        blank=True, max_length=500, help_text="A short note shown under the numbers, e.g. when each one is staffed."
    )

    panels = [
        FieldPanel("national_line"),
        FieldPanel("emergency_number"),
        FieldPanel("mobile_crisis"),
        FieldPanel("on_call"),
        FieldPanel("note"),
    ]

    class Meta:
        verbose_name = "crisis resources"
        verbose_name_plural = "crisis resources"

    @property
    def local_missing(self) -> bool:
        """Whether the local numbers (mobile crisis team, on-call line) are not all set."""
        return not (self.mobile_crisis and self.on_call)
