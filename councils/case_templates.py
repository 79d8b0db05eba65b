"""Templates for the usual kinds of case: the case paper's three parts
pre-filled with headings and prompts for the secretariat to write over.

Picked on the new-case page (``?mal=<key>``); a template only fills the form,
nothing of it is stored until the case is saved. Data in code on purpose: a
handful of templates that change with the way the secretariat works, not per
partnership.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

# A block of a template: ("h", text) a heading of the editor's first level,
# ("p", text) a paragraph, ("ul" or "ol", (texts)) a list.
Block = tuple[str, Promise] | tuple[str, tuple[Promise, ...]]


@dataclass(frozen=True)
class CaseTemplate:
    key: str
    label: Promise
    background: tuple[Block, ...]
    assessment: tuple[Block, ...]
    proposed_decision: tuple[Block, ...]

    def initial(self) -> dict[str, str]:
        """The case form's initial values for the case paper."""
        return {
            "background": _html(self.background),
            "assessment": _html(self.assessment),
            "proposed_decision": _html(self.proposed_decision),
        }


def _html(blocks: tuple[Block, ...]) -> str:
    parts = []
    for kind, content in blocks:
        if isinstance(content, tuple):
            items = format_html_join("", "<li><p>{}</p></li>", ((item,) for item in content))
            parts.append(format_html("<{}>{}</{}>", kind, items, kind))
        else:
            tag = "h2" if kind == "h" else "p"
            parts.append(format_html("<{}>{}</{}>", tag, content, tag))
    return "".join(parts)


TEMPLATES: tuple[CaseTemplate, ...] = (
    CaseTemplate(
        key="beslutning",
        label=_("Case for decision"),
        background=(
            ("h", _("What the case is about")),
            (
                "p",
                _("Describe in a few sentences what the council is asked to decide, and why now."),
            ),
            ("h", _("Background")),
            (
                "p",
                _(
                    "Earlier decisions, agreements and plans the case builds on, and who has "
                    "taken part in preparing it."
                ),
            ),
        ),
        assessment=(
            ("h", _("Assessment")),
            ("p", _("The secretariat's assessment of the options.")),
            ("h", _("Consequences for the parties")),
            (
                "ul",
                (
                    _("Finances: …"),
                    _("Staff and competence: …"),
                    _("Patients and users: …"),
                    _("Cooperation between the parties: …"),
                ),
            ),
        ),
        proposed_decision=(
            ("ol", (_("The council decides …"), _("The council asks the secretariat to …"))),
        ),
    ),
    CaseTemplate(
        key="orientering",
        label=_("Case for information"),
        background=(
            ("h", _("What the council is informed about")),
            ("p", _("Describe the matter in a few sentences, and who presents it at the meeting.")),
        ),
        assessment=(
            ("h", _("The secretariat's comments")),
            ("p", _("What the council should note, and any further work.")),
        ),
        proposed_decision=(("p", _("The council takes note of the case.")),),
    ),
    CaseTemplate(
        key="horing",
        label=_("Consultation"),
        background=(
            ("h", _("About the consultation")),
            (
                "ul",
                (
                    _("Sent by: …"),
                    _("Deadline for responses: …"),
                    _("The consultation documents: …"),
                ),
            ),
            ("h", _("What the consultation is about")),
            ("p", _("The main proposals that matter to the health partnership.")),
        ),
        assessment=(
            ("h", _("Input from the parties")),
            ("p", _("What the kommuner and the hospital trust have said.")),
            ("h", _("Proposed response")),
            ("p", _("The main points of the proposed consultation response.")),
        ),
        proposed_decision=(
            (
                "ol",
                (
                    _("The council agrees to the proposed consultation response."),
                    _("The secretariat sends the response before the deadline."),
                ),
            ),
        ),
    ),
)
BY_KEY = {template.key: template for template in TEMPLATES}


def get(key: str) -> CaseTemplate | None:
    return BY_KEY.get(key)
