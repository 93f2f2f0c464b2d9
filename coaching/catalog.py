"""The coach tools and their actions: the one source of truth.

Everything else follows from this module: the ``tool_catalog`` table (synced
after every ``migrate``; the SQL views join it), API validation, progress
arithmetic, the pages' tabs and the legacy localStorage keys. Adding an action
here and running ``manage.py migrate`` is the whole change.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    # The suffix of the old localStorage key: "<tool>-<legacy_key>".
    legacy_key: str
    label: str


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    label: str
    actions: tuple[Action, ...]

    @property
    def action_names(self) -> tuple[str, ...]:
        return tuple(action.name for action in self.actions)

    def has_action(self, action_name: str) -> bool:
        return action_name in self.action_names


TOOLS: tuple[Tool, ...] = (
    Tool(
        "profiel-coach",
        "Profiel Coach",
        (
            Action("bio_generated", "bio", "Bio schrijven"),
            Action("bio_analyzed", "analyze", "Bio analyseren"),
            Action("profile_completed", "complete", "Profiel compleet"),
        ),
    ),
    Tool(
        "foto-advies",
        "Foto Advies",
        (
            Action("photo_uploaded", "upload", "Foto uploaden"),
            Action("analysis_viewed", "view", "Analyse bekijken"),
            Action("photo_improved", "improve", "Foto verbeteren"),
        ),
    ),
    Tool(
        "chat-coach",
        "Chat Coach",
        (
            Action("first_question", "first-question", "Eerste vraag"),
            Action("conversation_continued", "continue", "Gesprek voortzetten"),
            Action("practice_completed", "practice", "Oefengesprek"),
        ),
    ),
    Tool(
        "gesprek-starter",
        "Gesprek Starter",
        (
            Action("opener_generated", "opener", "Openingszin"),
            Action("platform_selected", "platform", "Platform kiezen"),
            Action("safety_reviewed", "safety", "Veiligheid"),
        ),
    ),
    Tool(
        "date-planner",
        "Date Planner",
        (
            Action("idea_generated", "idea", "Date-idee"),
            Action("date_planned", "plan", "Date plannen"),
            Action("checklist_completed", "checklist", "Checklist"),
        ),
    ),
)

TOOLS_BY_NAME: dict[str, Tool] = {tool.name: tool for tool in TOOLS}
TOOL_NAMES: tuple[str, ...] = tuple(TOOLS_BY_NAME)

# "profiel-coach-bio" -> ("profiel-coach", "bio_generated")
LEGACY_KEYS: dict[str, tuple[str, str]] = {
    f"{tool.name}-{action.legacy_key}": (tool.name, action.name) for tool in TOOLS for action in tool.actions
}

# Names as the database constrains them (see the check constraints on
# ToolCompletion); the catalog must obey them too.
NAME_PATTERN = r"^[a-z][a-z0-9_-]{0,49}$"


def get_tool(tool_name: str) -> Tool | None:
    return TOOLS_BY_NAME.get(tool_name)


def total_actions() -> int:
    return sum(len(tool.actions) for tool in TOOLS)


def catalog_rows() -> list[tuple[str, str, int, int]]:
    """(tool_name, action_name, tool_position, action_position) for the tool_catalog table."""
    return [
        (tool.name, action.name, tool_position, action_position)
        for tool_position, tool in enumerate(TOOLS)
        for action_position, action in enumerate(tool.actions)
    ]
