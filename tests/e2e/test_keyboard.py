"""The trainee's main flows with the keyboard alone: a quiz, and logging practice (with one mistake on the way).

Only page.keyboard moves, types, chooses and submits (Tab, Shift+Tab, arrows, Space, Enter and typed text): no
clicks, no fill, no select_option. The page is read (page.evaluate, locators) to decide which key to press next and
to check where focus is, that it can be seen (a focus ring with at least 3:1 contrast against what is behind it) and
that the skip link works. The site's Content Security Policy stays on.
"""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A quiz no other browser test takes: the demo trainee hasn't tried it.
QUIZ = "/courses/peer-specialist-foundations/recovery-language/quiz/"
QUIZ_SOURCE = Path(__file__).resolve().parents[2] / "demo/curriculum/foundations/06-recovery-language.yaml"
MAX_TABS = 80

FOCUSED = """() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "", type: el.type || "",
    value: el.value === undefined ? "" : String(el.value), checked: Boolean(el.checked),
    text: (el.innerText || el.textContent || "").trim().replace(/\\s+/g, " "),
    label: el.labels && el.labels.length ? el.labels[0].innerText.trim() : "",
    fieldset: el.closest("fieldset") ? el.closest("fieldset").id : "",
    inMain: Boolean(el.closest("main")),
  };
}"""

# The focused element's outline (or box-shadow) as drawn now, and the first opaque background under the ring, found
# at a point just left of the element, inside the outline: a skip link over the header is judged against the header.
FOCUS_RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const gap = (parseFloat(style.outlineOffset) || 0) + (parseFloat(style.outlineWidth) || 0) / 2;
  const x = Math.max(0, box.left - gap), y = Math.min(window.innerHeight - 1, Math.max(0, box.top + box.height / 2));
  let background = "rgb(255, 255, 255)";
  for (const under of document.elementsFromPoint(x, y)) {
    if (under === el || el.contains(under)) continue;
    const colour = getComputedStyle(under).backgroundColor;
    if (colour && colour !== "transparent" && !/rgba\\(.*, 0\\)$/.test(colour)) { background = colour; break; }
  }
  return {outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
          outlineColor: style.outlineColor, boxShadow: style.boxShadow, background};
}"""


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two CSS rgb() colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def focused(page) -> dict:
    """What has focus: tag, id, name, type, value, checked, text, label, enclosing fieldset's id, whether in main."""
    return page.evaluate(FOCUSED)


def focus_ring_problem(page) -> str | None:
    """Why the focused element's focus ring can't be seen (None when it can)."""
    ring = page.evaluate(FOCUS_RING)
    if ring["outlineStyle"] != "none" and ring["outlineWidth"] >= 2:
        ratio = contrast(ring["outlineColor"], ring["background"])
        if ratio < 3:
            return f"focus ring {ring['outlineColor']} on {ring['background']} is {ratio:.2f}:1 at {focused(page)}"
        return None
    if ring["boxShadow"] == "none":
        return f"no focus ring on {focused(page)}: {ring}"
    return None


def assert_focus_visible(page) -> None:
    """The focused element shows a focus ring that stands out from what is behind it (3:1 at least)."""
    problem = focus_ring_problem(page)
    assert problem is None, problem


def tab_to(page, matches, *, key: str = "Tab", what: str = "") -> dict:
    """Press Tab (or another key) until the focused element matches; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError(f"{key} never reached {what or matches}; last focused: {focused(page)}")


def sign_in(page, base: str) -> None:
    """Sign the demo trainee in (not part of what is being tested)."""
    page.goto(base + "/accounts/login/")
    page.fill("input[name=login]", "trainee")
    page.fill("input[name=password]", "peerdemo2026")
    page.click("form button[type=submit]")
    page.wait_for_url(base + "/dashboard/")


@pytest.fixture
def keyboard_page(page, server):
    """The demo trainee's page, signed in."""
    sign_in(page, server)
    return page


def practice_day() -> date:
    """The latest past day whose day and month are the same number (at most about a month ago), so typing it into
    a date field gives the same date whether the browser shows day/month/year or month/day/year."""
    day = timezone.localdate() - timedelta(days=1)
    while day.day != day.month:
        day -= timedelta(days=1)
    return day


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`]", "", text)).strip()


def right_answers() -> dict[str, set[str]]:
    """The first 40 characters of each question's stem, and the texts of its right choices."""
    questions = yaml.safe_load(Path(QUIZ_SOURCE).read_text(encoding="utf-8"))["quiz"]["questions"]
    return {
        _plain(question["stem"])[:40]: {_plain(c["text"]) for c in question["choices"] if c["correct"]}
        for question in questions
    }


def test_skip_link_is_the_first_stop_and_focus_is_visible_on_it(keyboard_page, server):
    page = keyboard_page
    page.goto(server + "/practice/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0, "the skip link stays off screen when focused"
    assert_focus_visible(page)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == page.locator(".brand").inner_text()
    assert_focus_visible(page)  # in the dark header
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    assert focused(page)["inMain"], "after the skip link, Tab goes on inside the main content"
    assert_focus_visible(page)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/dashboard/", id="dashboard"),
        pytest.param("/practice/", id="practice-log"),
        pytest.param("/practice/entries/new/", id="practice-new"),
        pytest.param("/courses/peer-specialist-foundations/active-listening/attending/", id="lesson"),
        pytest.param("/verify/", id="verify"),
        pytest.param("/my-data/", id="my-data"),
    ],
)
def test_every_tab_stop_shows_a_focus_ring(keyboard_page, server, path):
    page = keyboard_page
    page.goto(server + path)
    stops, problems = 0, []
    for _ in range(300):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["tag"] == "body" or (stops and element["text"] == "Skip to main content"):
            break  # out of the page, or round to the start again
        stops += 1
        if problem := focus_ring_problem(page):
            problems.append(problem)
    else:
        raise AssertionError(f"Tab never left {path}")
    assert stops >= 10, f"only {stops} Tab stops on {path}"
    assert not problems, "\n".join(problems)


def test_trainee_takes_a_quiz_with_the_keyboard_alone(keyboard_page, server):
    page = keyboard_page
    page.goto(server + QUIZ)
    start = tab_to(page, lambda el: el["tag"] == "button" and el["text"].startswith("Start"), what="the start button")
    assert start["text"] == "Start the quiz"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/$"))

    answers = right_answers()
    questions = page.locator("fieldset.question")
    assert questions.count() == 5
    for index in range(questions.count()):
        question = questions.nth(index)
        dom_id = question.get_attribute("id")
        wanted = answers[_plain(question.locator(".question-stem").inner_text())[:40]]
        choices = [_plain(label) for label in question.locator("label").all_inner_texts()]
        kind = question.locator("input").first.get_attribute("type")
        here = tab_to(page, lambda el, dom_id=dom_id: el["fieldset"] == dom_id, what=f"question {index + 1}")
        assert here["label"] and _plain(here["label"]) == choices[0], "Tab enters a question at its first choice"
        assert_focus_visible(page)
        if kind == "radio":
            target = next(i for i, text in enumerate(choices) if text in wanted)
            if target == 0:
                page.keyboard.press("Space")
            for _ in range(target):
                page.keyboard.press("ArrowDown")  # moves to the next choice and selects it
            now = focused(page)
            assert now["checked"] and _plain(now["label"]) == choices[target]
        else:
            for position, text in enumerate(choices):
                if position:
                    page.keyboard.press("Tab")
                assert _plain(focused(page)["label"]) == text, "each checkbox is its own Tab stop"
                if text in wanted:
                    page.keyboard.press("Space")
        checked = [_plain(t) for t in question.locator("input:checked + label").all_inner_texts()]
        assert set(checked) == wanted, f"question {index + 1}"

    expect(page.locator("#autosave-status")).to_contain_text("Answers saved")
    submit = tab_to(page, lambda el: el["tag"] == "button" and el["value"] == "submit", what="Submit answers")
    assert submit["text"] == "Submit answers"
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/learn/attempts/\d+/result/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "You passed"
    assert page.locator(".score-figure").inner_text() == "100%"


def choose_option(page, label: str) -> None:
    """On a focused select, press ArrowDown or ArrowUp until the option with this text is chosen."""
    options = page.evaluate("() => Array.from(document.activeElement.options).map((o) => o.text)")
    current = page.evaluate("() => document.activeElement.selectedIndex")
    target = options.index(label)
    key = "ArrowDown" if target > current else "ArrowUp"
    for _ in range(abs(target - current)):
        page.keyboard.press(key)
    assert focused(page)["value"] and page.evaluate("() => document.activeElement.selectedIndex") == target


def tab_to_field(page, name: str) -> dict:
    """Tab to the form field with this name."""
    return tab_to(page, lambda el: el["name"] == name, what=f"the field {name}")


def test_trainee_logs_practice_with_the_keyboard_alone(keyboard_page, server):
    page = keyboard_page
    page.goto(server + "/practice/")
    link = tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Log practice", what="Log practice")
    assert_focus_visible(page)
    assert link["text"] == "Log practice"
    page.keyboard.press("Enter")
    page.wait_for_url("**/practice/entries/new/")

    day = practice_day()
    assert tab_to_field(page, "assignment")["tag"] == "select"
    assert_focus_visible(page)
    tab_to_field(page, "performed_on")
    page.keyboard.type(day.strftime("%d%m%Y"))
    assert focused(page)["value"] == day.isoformat()
    tab_to_field(page, "start_time")
    page.keyboard.type("0715A")  # the A picks AM where the field has a 12-hour clock, and does nothing elsewhere
    assert focused(page)["value"] == "07:15"
    tab_to_field(page, "duration_hours")
    page.keyboard.type("1.25")
    tab_to_field(page, "activity_type")
    choose_option(page, "Group facilitation")
    assert focused(page)["value"] == "group"
    contact = tab_to_field(page, "contact")
    assert contact["type"] == "radio" and contact["label"] == "Direct (with people supported)"
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    domain = tab_to_field(page, "domains")
    domains_seen = [domain["label"]]
    while domain["label"] != "Recovery and wellness support":
        page.keyboard.press("Tab")
        domain = focused(page)
        assert domain["name"] == "domains", f"Recovery and wellness isn't among the domains {domains_seen}"
        domains_seen.append(domain["label"])
    page.keyboard.press("Space")
    assert focused(page)["checked"]
    tab_to_field(page, "setting")
    choose_option(page, "Peer-run service")
    delivery = tab_to_field(page, "delivery")
    assert delivery["label"] == "In person"
    page.keyboard.press("Space")
    # The reflection is left empty, so the form comes back once with a problem to fix.
    assert tab_to_field(page, "reflection")["tag"] == "textarea"
    save = tab_to(page, lambda el: el["tag"] == "button", what="Save as draft")
    assert save["text"] == "Save as draft"
    assert_focus_visible(page)
    page.keyboard.press("Enter")

    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Reflection: This field is required.")
    assert focused(page)["id"] == "error-summary", "the error summary takes focus when the form comes back"
    error_link = tab_to(page, lambda el: el["tag"] == "a", what="the link in the error summary")
    assert error_link["text"] == "Reflection: This field is required."
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert focused(page)["name"] == "reflection", "the error's link takes focus to the field"
    page.keyboard.type("Co-facilitated the wellbeing group with a colleague; we practised grounding together.")
    for name, value in [("performed_on", day.isoformat()), ("start_time", "07:15"), ("duration_hours", "1.25")]:
        assert page.locator(f"[name={name}]").input_value() == value, f"{name} kept what was typed"
    assert page.locator("input[name=contact]:checked").get_attribute("value") == "direct"
    assert page.locator("input[name=delivery]:checked").get_attribute("value") == "in_person"
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Save as draft", what="Save as draft")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/practice/(#id_reflection)?$"))  # a redirect keeps the fragment the link added
    message = page.locator(".messages")
    expect(message).to_contain_text("Saved:")
    expect(message).to_contain_text("It stays a draft until you submit it for review.")
    entry = page.locator("tr", has_text=f"{day:%-d %b %Y}, 07:15").filter(has_text="Group facilitation")
    expect(entry).to_have_count(1)
