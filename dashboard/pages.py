"""The pages of the dashboard, one entry each: the router, navbar, tab titles, exports and validation layout
are all built from this list. Adding a page: `layouts/<page>.py`, `callbacks/<page>.py` and one entry here."""

from __future__ import annotations

from callbacks import changes, commitments, countries, cycle, delays, inbox, irm, overview, recording, themes
from callbacks.pages import NavItem, PageSpec, Router
from layouts import changes as changes_layout
from layouts import commitments as commitments_layout
from layouts import countries as countries_layout
from layouts import cycle as cycle_layout
from layouts import delays as delays_layout
from layouts import inbox as inbox_layout
from layouts import irm as irm_layout
from layouts import overview as overview_layout
from layouts import recording as recording_layout
from layouts import themes as themes_layout

PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        path="/",
        title="Overview",
        render=overview.render_overview,
        nav=NavItem("Overview", "bi-speedometer2"),
        tables={
            overview_layout.OVERVIEW_REGIONS_TABLE: overview.regions_export,
            overview_layout.OVERVIEW_CYCLES_TABLE: overview.cycles_export,
        },
    ),
    PageSpec(
        path="/cycle",
        title="Cycle",
        render=cycle.render_cycle,
        nav=NavItem("Cycle", "bi-calendar-range"),
        tables={
            cycle_layout.CYCLE_PLANS_TABLE: cycle.plans_table_export,
            cycle_layout.CYCLE_SUBMISSIONS_TABLE: cycle.submissions_table_export,
        },
        register=cycle.register,
        skeleton=cycle_layout.skeleton,
    ),
    PageSpec(
        path="/countries",
        title="Countries",
        render=countries.render_countries,
        nav=NavItem("Countries", "bi-globe-americas"),
        tables={countries_layout.COUNTRIES_EXPORT: countries.countries_export},
    ),
    PageSpec(
        path="/countries/(?P<code>[^/]+)",
        title="Member",
        render=countries.render_member,
        tables={
            countries_layout.MEMBER_DELAYS_EXPORT: countries.member_delays_export,
            countries_layout.MEMBER_PLANS_EXPORT: countries.member_plans_export,
        },
    ),
    PageSpec(
        path="/themes",
        title="Themes",
        render=themes.render_themes,
        nav=NavItem("Themes", "bi-tags"),
        tables={themes_layout.THEMES_EXPORT: themes.themes_export},
    ),
    PageSpec(path="/themes/(?P<slug>[^/]+)", title="Policy area", render=themes.render_theme),
    PageSpec(
        path="/commitments",
        title="Commitments",
        render=commitments.render_commitments,
        nav=NavItem("Commitments", "bi-list-check"),
        tables={commitments_layout.COMMITMENTS_EXPORT: commitments.commitments_export},
        register=commitments.register,
        skeleton=commitments_layout.list_skeleton,
    ),
    PageSpec(
        path="/commitments/(?P<ogp_id>[^/]+)",
        title="Commitment",
        render=commitments.render_commitment,
        tables={
            commitments_layout.COMMITMENT_PROGRESS_EXPORT: commitments.commitment_progress_export,
            commitments_layout.COMMITMENT_MILESTONES_EXPORT: commitments.commitment_milestones_export,
            recording_layout.COMMITMENT_HISTORY_EXPORT: commitments.commitment_history_export,
        },
        register=recording.register,
        skeleton=lambda: [*commitments_layout.detail_skeleton(), *recording_layout.skeleton()],
    ),
    PageSpec(
        path="/delays",
        title="Delays",
        render=delays.render_delays,
        nav=NavItem("Delays", "bi-hourglass-split"),
        tables={
            delays_layout.DELAYS_COMMITMENTS_TABLE: delays.commitments_export,
            delays_layout.DELAYS_PLANS_TABLE: delays.plans_export,
            delays_layout.DELAYS_DEADLINES_TABLE: delays.deadlines_export,
        },
    ),
    PageSpec(
        path="/irm",
        title="IRM",
        render=irm.render_irm,
        nav=NavItem("IRM", "bi-clipboard-data"),
        tables={
            irm_layout.IRM_MIDTERM_TABLE: irm.midterm_export,
            irm_layout.IRM_NO_REPORT_TABLE: irm.no_report_export,
            irm_layout.IRM_DISAGREEMENT_TABLE: irm.disagreement_export,
            irm_layout.IRM_CHANGE_TABLE: irm.change_export,
        },
        register=irm.register,
        skeleton=irm_layout.skeleton,
    ),
    PageSpec(
        path="/changes",
        title="What changed",
        render=changes.render_changes,
        nav=NavItem("Changes", "bi-arrow-left-right"),
        tables={
            changes_layout.CHANGES_COMMITMENTS_TABLE: changes.commitments_export,
            changes_layout.CHANGES_PLANS_TABLE: changes.plans_export,
            changes_layout.CHANGES_REPORTS_TABLE: changes.reports_export,
            changes_layout.CHANGES_IRM_TABLE: changes.irm_export,
        },
        register=changes.register,
        skeleton=changes_layout.skeleton,
    ),
    # Personal pages, linked from the account area of the navbar (signed in).
    PageSpec(
        path="/inbox",
        title="Inbox",
        render=inbox.render_inbox,
        register=inbox.register,
        skeleton=inbox_layout.skeleton,
    ),
    PageSpec(path="/following", title="Following", render=inbox.render_following),
)

ROUTER = Router(PAGES)
