"""Printable sheets of a campaign's anonymous links: one A4 page per school with the
campaign's title, the school's name, the link and its QR code (inline SVG), for parents'
meetings and the school's chats; one document with a page per school for the analyst.

The QR code is made by `segno` (a maintained library that writes SVG without image
libraries): the page is plain HTML with no external assets, printed from the browser.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import segno
from markupsafe import Markup

from services.surveys.campaigns.models import Campaign, CampaignOrganization
from services.surveys.campaigns.window import window
from shared.templating import environment, natural_key

TEMPLATES = environment(Path(__file__).parent / "templates")
QR_SCALE = 6  # pixels (SVG units) per module: about 6 cm on A4 for a 60-character link


@dataclass(frozen=True)
class SchoolSheet:
    """One page: the school's name and its anonymous link, with the link's QR code."""

    organization_id: uuid.UUID
    name: str
    url: str

    @property
    def qr_svg(self) -> Markup:
        """The link's QR code as an inline <svg> (error correction M: a creased printout
        still scans), scaled by its viewBox to the size the page's CSS gives it."""
        code = segno.make(self.url, error="m", micro=False)
        svg = code.svg_inline(scale=QR_SCALE, border=2, omitsize=True, title=self.url)
        return Markup(svg)  # noqa: S704 segno's own markup; it escapes the title


def school_sheets(
    members: list[CampaignOrganization],
    names: dict[uuid.UUID, str],
    url_of: Callable[[str], str],
) -> list[SchoolSheet]:
    """A page per school, sorted by name as people look for them (№ 3 before № 10)."""
    sheets = [
        SchoolSheet(m.organization_id, names.get(m.organization_id, "—"), url_of(m.code))
        for m in members
    ]
    return sorted(sheets, key=lambda s: natural_key(s.name))


def render(
    campaign: Campaign, sheets: list[SchoolSheet], timezone: str, home: str | None = None
) -> str:
    """The HTML document: one A4 page per sheet (a page break after each), Russian text,
    the window of the campaign in `timezone`; a closed campaign's sheet says so instead of
    inviting to answer. `home`: the address of the home («← На главную», not printed)."""
    shown = window(campaign, timezone)
    return TEMPLATES.get_template("sheet.html").render(
        home=home,
        title=campaign.title,
        opens=shown.opens,
        closes=shown.closes,
        closed=shown.state == "closed",
        sheets=sheets,
    )
