"""StreamField blocks shared by lessons and site pages."""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "h5", "bold", "italic", "ol", "ul", "link", "blockquote"]
SHORT_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link"]


class TextBlock(blocks.RichTextBlock):
    """Body text with headings and lists."""

    def __init__(self, **kwargs):
        super().__init__(features=RICH_TEXT_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        template = "blocks/text_block.html"
        label = "Text"
        description = "Paragraphs, subheadings and lists."
        preview_value = "<p>Listening well starts with giving the person your full attention.</p>"


class CalloutBlock(blocks.StructBlock):
    """A key point set apart from the text."""

    title = blocks.CharBlock(max_length=120, help_text="A short heading, e.g. 'Key point'.")
    text = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES)

    class Meta:
        icon = "tip"
        template = "blocks/callout_block.html"
        label = "Key point"
        description = "A highlighted key point or takeaway."
        preview_value = {
            "title": "Key point",
            "text": "<p>Silence can be a gift: it gives the person room to go on.</p>",
        }


class DialogueTurnBlock(blocks.StructBlock):
    """One turn in a worked dialogue."""

    speaker = blocks.ChoiceBlock(
        choices=[("peer", "Peer"), ("specialist", "Peer specialist"), ("supervisor", "Supervisor")],
        default="peer",
    )
    text = blocks.TextBlock()

    class Meta:
        icon = "comment"
        template = "blocks/dialogue_turn_block.html"
        label = "Turn"
        description = "What one person says."
        preview_value = {"speaker": "peer", "text": "I just feel like nobody gets it."}


class DialogueBlock(blocks.StructBlock):
    """A worked dialogue showing a skill in use, with a debrief."""

    title = blocks.CharBlock(max_length=120)
    context = blocks.CharBlock(max_length=300, required=False, help_text="One line that sets the scene.")
    turns = blocks.ListBlock(DialogueTurnBlock(), min_num=2)
    debrief = blocks.RichTextBlock(
        features=SHORT_TEXT_FEATURES, required=False, help_text="What the exchange shows, and why it works."
    )

    class Meta:
        icon = "group"
        template = "blocks/dialogue_block.html"
        label = "Worked dialogue"
        description = "A short exchange between a peer and a peer specialist, with a debrief."
        preview_value = {
            "title": "Reflecting a feeling",
            "context": "A peer has just come back from a difficult appointment.",
            "turns": [
                {"speaker": "peer", "text": "They talked over me the whole time."},
                {"speaker": "specialist", "text": "It sounds like you left feeling unheard."},
            ],
            "debrief": "<p>The specialist names the feeling instead of jumping to advice.</p>",
        }


class ReflectionBlock(blocks.StructBlock):
    """A question the trainee thinks about privately."""

    prompt = blocks.TextBlock()

    class Meta:
        icon = "help"
        template = "blocks/reflection_block.html"
        label = "Reflection prompt"
        description = "A question for the trainee to reflect on privately."
        preview_value = {"prompt": "When did someone last really listen to you? What did they do?"}


class TryItBlock(blocks.StructBlock):
    """A short practical exercise."""

    title = blocks.CharBlock(max_length=120)
    instructions = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES)

    class Meta:
        icon = "form"
        template = "blocks/try_it_block.html"
        label = "Try it"
        description = "A short exercise the trainee can do now or with a partner."
        preview_value = {
            "title": "Two minutes of attention",
            "instructions": "<p>Ask a friend about their day and only listen for two minutes.</p>",
        }


COMPARISON_PAIR_PREVIEW = {
    "avoid": "At least it's not as bad as it could be.",
    "instead": "That sounds really hard.",
    "why": "Silver linings can make a person feel dismissed.",
}


class ComparisonPairBlock(blocks.StructBlock):
    """One 'instead of this, say that' pair."""

    avoid = blocks.TextBlock(label="What not to say")
    instead = blocks.TextBlock(label="Say instead")
    why = blocks.TextBlock(required=False)

    class Meta:
        icon = "arrow-right"
        template = "blocks/comparison_pair_block.html"
        label = "Pair"
        description = "A phrase to avoid and a better alternative."
        preview_value = COMPARISON_PAIR_PREVIEW


class ComparisonBlock(blocks.StructBlock):
    """'What not to say / say instead' pairs."""

    intro = blocks.CharBlock(max_length=300, required=False)
    pairs = blocks.ListBlock(ComparisonPairBlock(), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "blocks/comparison_block.html"
        label = "What not to say / say instead"
        description = "Side-by-side phrases to avoid and better alternatives, with the reason."
        preview_value = {
            "intro": "Common responses that close a conversation down, and what to try instead.",
            "pairs": [COMPARISON_PAIR_PREVIEW],
        }


class VideoBlock(blocks.StructBlock):
    """An embedded video with a transcript for people who cannot or prefer not to watch."""

    video = EmbedBlock(help_text="A YouTube, Vimeo or other oEmbed URL.")
    title = blocks.CharBlock(max_length=200)
    transcript = blocks.RichTextBlock(features=SHORT_TEXT_FEATURES, help_text="Required for accessibility.")

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"
        label = "Video"
        description = "An embedded video, always with a transcript."
        preview_value = {
            "video": "https://example.org/video",
            "title": "Attending in practice",
            "transcript": "<p>A transcript of the video.</p>",
        }


def crisis_resources_for(context: dict):
    """The crisis resources of the site the page being shown belongs to (the request's site, else the default)."""
    from django.apps import apps
    from wagtail.models import Site

    crisis_resources = apps.get_model("content", "CrisisResources")  # by name: content.models imports this module
    site = None
    page = context.get("page")
    if page is not None and getattr(page, "pk", None) and hasattr(page, "get_site"):
        site = page.get_site()
    if site is None and context.get("request") is not None:
        site = Site.find_for_request(context["request"])
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    return crisis_resources.for_site(site) if site is not None else crisis_resources()


class CrisisResourcesBlock(blocks.StaticBlock):
    """The 'Crisis resources where you work' box, filled from the site's Crisis resources setting."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["crisis"] = crisis_resources_for(context)
        return context

    class Meta:
        icon = "warning"
        template = "blocks/crisis_resources_block.html"
        label = "Crisis resources where you work"
        description = "The crisis numbers for this site, set under Settings › Crisis resources."
        admin_text = "Shows the crisis numbers set under Settings › Crisis resources for this site."
        preview_value = "crisis resources"


class LessonStreamBlock(blocks.StreamBlock):
    """The blocks a lesson is built from."""

    text = TextBlock()
    callout = CalloutBlock()
    dialogue = DialogueBlock()
    reflection = ReflectionBlock()
    try_it = TryItBlock()
    comparison = ComparisonBlock()
    video = VideoBlock()
    crisis_resources = CrisisResourcesBlock()


class PageStreamBlock(blocks.StreamBlock):
    """The blocks a general site page is built from."""

    text = TextBlock()
    callout = CalloutBlock()
