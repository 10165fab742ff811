"""The admin's embed-code builder: pick a procedure, a language and the
site that will carry it; get the code to paste (an `<iframe>` with a plain
link inside as its fallback, and a link-only variant), both carrying
`src=<site>` so the dossiers it brings are counted per site. A GET form
with read-only text areas: nothing needs JavaScript."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale

from ..models import EmbedOrigin, ProcedurePage
from .origins import SOURCE_MAX_LENGTH, source_for_site

MIN_HEIGHT, MAX_HEIGHT, DEFAULT_HEIGHT = 200, 1200, 360


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} – {obj.title}"


class BuilderForm(forms.Form):
    procedure = ProcedureChoiceField(
        label=gettext_lazy("Procedure"), queryset=ProcedurePage.objects.none(),
        empty_label=gettext_lazy("Choose a procedure"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language of the card"), choices=settings.LANGUAGES)
    site = forms.CharField(
        label=gettext_lazy("Site that will show it"), max_length=SOURCE_MAX_LENGTH,
        help_text=gettext_lazy("The address or host of the agency's site, e.g. sotuphap.example.gov.vn; it is sent "
                               "as src= so that the statistics count the dossiers this site brings."),
    )
    height = forms.IntegerField(
        label=gettext_lazy("Height of the frame (pixels)"), min_value=MIN_HEIGHT, max_value=MAX_HEIGHT,
        initial=DEFAULT_HEIGHT,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = (
            ProcedurePage.objects.live().public().filter(locale=Locale.get_default()).order_by("code")
        )

    def clean_site(self):
        source = source_for_site(self.cleaned_data["site"])
        if not source:
            raise forms.ValidationError(_(
                "Enter the site's address (https://host) or host, e.g. sotuphap.example.gov.vn: letters, digits, "
                "dots and hyphens."
            ))
        return source


def _in_language(procedure: ProcedurePage, language: str) -> ProcedurePage:
    locale = Locale.objects.filter(language_code=language).first()
    translated = procedure.get_translation_or_none(locale) if locale else None
    return translated.specific if translated is not None and translated.live else procedure


def embed_code(request, procedure: ProcedurePage, language: str, source: str, height: int) -> dict:
    """The two snippets to paste, and the addresses they use."""
    page = _in_language(procedure, language)
    query = urlencode({"src": source})
    with translation.override(language):
        card_url = request.build_absolute_uri(reverse("procedure_embed", kwargs={"code": procedure.code}))
        apply_url = request.build_absolute_uri(reverse("procedure_apply", kwargs={"code": procedure.code}))
        link_text = (_("Apply online: %(title)s") if procedure.level >= 3 else _("Fill in the form: %(title)s")) % {
            "title": page.title}
        frame_title = _("%(title)s – online public services") % {"title": page.title}
    card_url, apply_url = f"{card_url}?{query}", f"{apply_url}?{query}"
    link = format_html('<a href="{}">{}</a>', apply_url, link_text)
    frame = format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy">\n  {}\n</iframe>',
        card_url, frame_title, height, link,
    )
    return {"card_url": card_url, "apply_url": apply_url, "frame_code": str(frame), "link_code": str(link)}


class BuilderView(WagtailAdminTemplateMixin, TemplateView):
    """Admin → Embed kit → Embed code builder (any admin user: it only
    composes public addresses)."""

    template_name = "procedures/embed/builder.html"
    page_title = gettext_lazy("Embed code builder")
    header_icon = "code"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submitted = "procedure" in self.request.GET
        initial = {"language": settings.LANGUAGE_CODE, "height": DEFAULT_HEIGHT}
        form = BuilderForm(self.request.GET if submitted else None, initial=initial)
        context["form"] = form
        if submitted and form.is_valid():
            procedure = form.cleaned_data["procedure"]
            context.update(embed_code(self.request, procedure, form.cleaned_data["language"],
                                      form.cleaned_data["site"], form.cleaned_data["height"]))
            context["procedure"] = procedure
            context["allowed_origins"] = EmbedOrigin.allowed_for(procedure.agency)
            context["agency"] = procedure.agency
        context["origins_url"] = reverse("embed_origins:index")
        return context
