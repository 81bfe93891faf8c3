"""OGP's policy-area taxonomy as it appears in the commitments sheet (0/1 tag columns)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Parent groups and their sub-areas, in the sheet's column order.
POLICY_AREA_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Anti-Corruption and Integrity",
        (
            "Anti-corruption Institutions",
            "Anti-Corruption Strategies",
            "Asset Disclosure",
            "Audits",
            "Beneficial Ownership",
            "Conflicts Of Interest",
            "Elections",
            "Political Finance",
            "Lobbying",
            "Open Contracting",
            "Public Procurement",
            "Right To Information",
            "Whistleblower Protections",
        ),
    ),
    (
        "Civic Space and Enabling Environment",
        ("Freedom of Assembly", "Freedom of Association", "Freedom of Expression"),
    ),
    (
        "Democratizing Decision-Making",
        ("Digital Participation", "Mainstreaming Participation", "Regulatory Governance", "Social Accountability"),
    ),
    (
        "Digital Governance",
        (
            "Automated Decision-making",
            "Data Stewardship and Privacy",
            "Digital Inclusion",
            "Disinformation/Misinformation",
            "Online Civic Space",
        ),
    ),
    (
        "Environment & Climate",
        (
            "Climate Finance",
            "Climate Mitigation and Adaptation",
            "Environmental Regulation",
            "International Environmental Agreements",
        ),
    ),
    (
        "Fiscal Openness",
        (
            "Publication Of Budget/Fiscal Information",
            "Public Participation In Budget/Fiscal Policy",
            "Oversight Of Budget/Fiscal Policies",
            "Stimulus and Economic Recovery",
            "Tax",
            "Debt",
        ),
    ),
    (
        "Inclusion",
        ("Gender", "Gender-Based Violence", "Economic Inclusion", "LGBTQIA+", "People with Disabilities", "Youth"),
    ),
    ("Justice", ("Access to Justice", "Open Justice", "Policing & Corrections", "Judiciary")),
    ("Open Parliaments", ()),
    (
        "Public Service Delivery",
        (
            "Citizenship & Immigration",
            "Education",
            "Health & Nutrition",
            "Infrastructure & Transport",
            "Water & Sanitation",
        ),
    ),
)

# Cross-cutting tags that sit after the groups in the sheet.
CROSS_CUTTING_AREAS: tuple[str, ...] = (
    "Capacity Building",
    "Digital Transformation",
    "Legislation",
    "Regulation",
    "Legislative Oversight",
    "Open Data",
    "Public Participation",
    "Aid",
    "Energy",
    "Extractive Industries",
    "Land and Spatial Planning",
    "Media & Telecommunications",
    "Science & Technology",
    "Security & Public Safety",
    "Labor",
    "Private Sector",
    "Subnational",
    "Human Rights",
    "Open Parliament Plan",
    "Sustainable Development Goals",
    "Open Data (Water/Sanitation)",
    "Open Data (Health)",
    "Open Data (Education)",
    "Participation in Lawmaking",
    "Access to information",
    "Money in Politics",
)


@dataclass(frozen=True)
class PolicyAreaDef:
    """One policy area: its sheet column, URL slug, parent group (None for a group or cross-cutting tag)."""

    name: str
    slug: str
    parent: str | None
    is_group: bool


def slugify(name: str) -> str:
    """URL slug of a policy-area name ('Environment & Climate' -> 'environment-and-climate')."""
    text = name.lower().replace("&", " and ").replace("+", " plus ")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _build() -> tuple[PolicyAreaDef, ...]:
    areas: list[PolicyAreaDef] = []
    for group, children in POLICY_AREA_GROUPS:
        areas.append(PolicyAreaDef(group, slugify(group), None, True))
        areas.extend(PolicyAreaDef(child, slugify(child), group, False) for child in children)
    areas.extend(PolicyAreaDef(name, slugify(name), None, False) for name in CROSS_CUTTING_AREAS)
    return tuple(areas)


POLICY_AREAS: tuple[PolicyAreaDef, ...] = _build()
POLICY_AREA_BY_SLUG: dict[str, PolicyAreaDef] = {a.slug: a for a in POLICY_AREAS}
POLICY_AREA_COLUMNS: tuple[str, ...] = tuple(a.name for a in POLICY_AREAS)


def area_slugs(slug: str) -> tuple[str, ...]:
    """The slugs a policy area stands for: a parent group with all its sub-areas, else the area alone."""
    area = POLICY_AREA_BY_SLUG[slug]
    if not area.is_group:
        return (slug,)
    return (slug, *(a.slug for a in POLICY_AREAS if a.parent == area.name))
