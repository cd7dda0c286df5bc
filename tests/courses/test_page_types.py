"""Page types nest only where they belong, and every block follows the house rules."""

import pytest
from wagtail import blocks

from content.blocks import LessonStreamBlock, PageStreamBlock
from content.models import HomePage, StandardPage
from courses.models import CourseIndexPage, CoursePage, LessonPage, ModulePage
from lms.roles import PROGRAMME_ADMIN
from tests.factories import PASSWORD, UserFactory, build_course, site_home

pytestmark = pytest.mark.django_db


def test_page_tree_rules(course):
    course_page, lessons = course
    module = lessons[0].get_parent().specific
    home = site_home()
    assert CoursePage.can_create_at(course_page.get_parent())
    assert not CoursePage.can_create_at(home)
    assert ModulePage.can_create_at(course_page) and not ModulePage.can_create_at(home)
    assert LessonPage.can_create_at(module) and not LessonPage.can_create_at(course_page)
    assert not CourseIndexPage.can_create_at(home)  # max_count reached: /courses/ exists
    assert StandardPage.can_create_at(home)
    assert LessonPage.allowed_subpage_models() == []
    assert HomePage.max_count == 1


def _struct_blocks(stream_block):
    seen = []
    stack = list(stream_block.child_blocks.values())
    while stack:
        block = stack.pop()
        seen.append(block)
        if isinstance(block, blocks.StructBlock):
            stack.extend(block.child_blocks.values())
        if isinstance(block, blocks.ListBlock):
            stack.append(block.child_block)
    return seen


@pytest.mark.parametrize("stream", [LessonStreamBlock(), PageStreamBlock()], ids=["lesson", "page"])
def test_every_content_block_sets_icon_template_description_and_preview(stream):
    ours = [block for block in _struct_blocks(stream) if type(block).__module__ == "content.blocks"]
    assert len(ours) >= len(stream.child_blocks)
    for block in ours:
        meta = block.meta
        assert meta.icon and meta.icon != "placeholder", block.name
        assert meta.template and meta.template.startswith("blocks/"), block.name
        assert meta.description, block.name
        assert meta.preview_value, block.name


def test_every_block_renders_its_preview_value():
    for block in LessonStreamBlock().child_blocks.values():
        if block.name == "video":
            continue  # rendering fetches oEmbed, which is not reachable in tests
        html = block.render(block.to_python(block.get_prep_value(block.normalize(block.meta.preview_value))))
        assert html.strip(), block.name


def test_programme_admin_reaches_wagtail_admin_and_trainee_does_not(client):
    admin = UserFactory(roles=[PROGRAMME_ADMIN])
    trainee = UserFactory()
    client.login(username=trainee.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 302
    client.logout()
    client.login(username=admin.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    course, _ = build_course(slug="editable")
    assert client.get(f"/admin/pages/{course.id}/edit/").status_code == 200
    assert client.get("/admin/snippets/content/competencydomain/").status_code == 200
    assert client.get("/admin/snippets/courses/enrolment/").status_code == 200


@pytest.mark.django_db
def test_a_lesson_lists_only_the_objectives_that_name_it(client):
    course, lessons = build_course(modules=1, lessons_per_module=2)
    assert "In this lesson you will learn to" not in client.get(lessons[0].url).content.decode()
    module = lessons[0].get_parent().specific
    module.objectives.update(lesson=lessons[0])
    module.save_revision().publish()  # as an editor does: the published module renews the lessons' outline
    first, second = (client.get(lesson.url).content.decode() for lesson in lessons)
    assert "In this lesson you will learn to" in first and "Objective of module 1" in first
    assert "In this lesson you will learn to" not in second and "Objective of module 1" not in second
