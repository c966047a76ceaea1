"""Controls generated from the scenario schema: mechanism switches, sliders with the schema's ranges.

`mechanism_groups()` and `main_controls()` read the pydantic schema (type, range, unit,
description of each field); `SettingsPanel` draws them and turns every change into a dotted-key
override that the scenario loader validates.
"""

import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import solara
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.app.settings import (
    AppSettings,
    SessionScenario,
    app_scenarios,
    current_value,
    describe,
)
from sim.mechanisms import BUILT_MECHANISMS
from sim.scenario.params import PURE_NUMBERS
from sim.scenario.schema import Scenario

OWN_FILE = "(a file of my own)"
#: Scenario-wide parameters the app shows, by section. A cap (lowest, highest) narrows a slider
#: where the schema's range goes far beyond what the app draws at interactive speed.
MAIN_PARAMETERS: dict[str, dict[str, tuple[float, float] | None]] = {
    "Community": {
        "structure.compounds": (1, 60),
        "structure.share_without_firm": None,
        "households.renter_share": None,
        "households.party_member_share": None,
    },
    "Service and trust": {
        "service.fee_per_m2": None,
        "service.initial_quality": None,
        "households.initial_trust_firm": None,
        "households.initial_trust_committee": None,
    },
    "Run": {"steps": (1, 1040)},
}
#: Units the labels leave out: no unit, or one the value speaks for itself in.
PLAIN_UNITS = {"", *PURE_NUMBERS}


@dataclass(frozen=True)
class Control:
    """One input: a dotted scenario key and how to draw it."""

    key: str
    label: str
    kind: Literal["switch", "int", "float", "choice"]
    help: str
    unit: str = ""
    minimum: float = 0.0
    maximum: float = 1.0
    step: float = 1.0
    choices: tuple[str, ...] = ()
    disabled: bool = False

    def clean(self, value: Any) -> Any:
        """A slider's value rounded to the control's step (no 0.30000000000000004)."""
        if self.kind == "int":
            return int(round(value))
        if self.kind == "float":
            decimals = max(0, -math.floor(math.log10(self.step)))
            return round(float(value), decimals)
        return value


@dataclass(frozen=True)
class MechanismGroup:
    """A mechanism's switch and the controls of its parameters."""

    name: str
    switch: Control
    parameters: tuple[Control, ...]
    built: bool


def humanise(name: str) -> str:
    """'mobilisation_strength' -> 'Mobilisation strength'."""
    return name.replace("_", " ").capitalize()


def bounds(info: FieldInfo) -> tuple[float | None, float | None, bool]:
    """Lowest and highest allowed value of a field, and whether the lowest is excluded."""
    low = high = None
    open_low = False
    for meta in info.metadata:
        if getattr(meta, "ge", None) is not None:
            low = meta.ge
        if getattr(meta, "gt", None) is not None:
            low, open_low = meta.gt, True
        if getattr(meta, "le", None) is not None:
            high = meta.le
        if getattr(meta, "lt", None) is not None:
            high = meta.lt
    return low, high, open_low


def slider_step(low: float, high: float) -> float:
    """A round step giving about 100-200 positions over the range."""
    return 10.0 ** math.floor(math.log10((high - low) / 100)) if high > low else 1.0


def control_for(
    key: str, info: FieldInfo, cap: tuple[float, float] | None = None, disabled: bool = False
) -> Control | None:
    """The control of one schema field, or None when the field cannot be drawn as one."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    unit = str(extra.get("unit", ""))
    name = key.rsplit(".", 1)[-1]
    text = info.description or humanise(name)
    annotation = info.annotation
    common = {"key": key, "label": humanise(name), "unit": unit, "disabled": disabled}
    if annotation is bool:
        return Control(kind="switch", help=text, **common)
    if typing.get_origin(annotation) is Literal:
        choices = tuple(str(c) for c in typing.get_args(annotation))
        return Control(kind="choice", help=text, choices=choices, **common)
    if annotation not in (int, float):
        return None
    low, high, open_low = bounds(info)
    if low is None or high is None:
        return None
    if cap is not None:
        low, high = max(low, cap[0]), min(high, cap[1])
    if annotation is int:
        low = low + 1 if open_low else low
        help_ = f"{text} ({unit}; {low:g} to {high:g})"
        return Control(kind="int", help=help_, minimum=low, maximum=high, step=1, **common)
    step = slider_step(low, high)
    low = low + step if open_low else low
    help_ = f"{text} ({unit}; {low:g} to {high:g})"
    return Control(kind="float", help=help_, minimum=low, maximum=high, step=step, **common)


def field_at(key: str) -> FieldInfo | None:
    """The schema field of a dotted key, or None."""
    model: Any = Scenario
    info = None
    for part in key.split("."):
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        info = fields[part]
        model = info.annotation
    return info


def mechanism_groups() -> list[MechanismGroup]:
    """Every mechanism of the schema: built ones switchable, planned ones disabled."""
    groups = []
    for name, info in Scenario.model_fields["mechanisms"].annotation.model_fields.items():
        section: type[BaseModel] = info.annotation
        built = name in BUILT_MECHANISMS
        doc = (section.__doc__ or "").strip().splitlines()[0] if section.__doc__ else ""
        switch = Control(
            key=f"mechanisms.{name}.enabled",
            label=humanise(name),
            kind="switch",
            help=doc if built else f"{doc} Not built yet.".strip(),
            disabled=not built,
        )
        parameters = tuple(
            c
            for field, sub in section.model_fields.items()
            if field != "enabled"
            and (c := control_for(f"mechanisms.{name}.{field}", sub, disabled=not built))
        )
        groups.append(MechanismGroup(name, switch, parameters, built))
    return groups


def main_controls() -> dict[str, list[Control]]:
    """The scenario-wide controls by section (keys the schema no longer has are left out)."""
    sections: dict[str, list[Control]] = {}
    for section, keys in MAIN_PARAMETERS.items():
        controls = []
        for key, cap in keys.items():
            info = field_at(key)
            if info is not None and (control := control_for(key, info, cap)) is not None:
                controls.append(control)
        sections[section] = controls
    return sections


def format_value(control: Control, value: Any) -> str:
    """A value as the label shows it."""
    if control.kind == "float":
        text = f"{value:.{max(0, -math.floor(math.log10(control.step)))}f}"
    else:
        text = str(value)
    plain = control.unit in PLAIN_UNITS or control.unit.lower() in control.label.lower()
    return text if plain else f"{text} {control.unit}"


@solara.component
def ControlInput(control: Control, value: Any, on_change: Callable[[str, Any], None]):
    """One control, with the schema's description as its hover text."""

    def changed(new: Any) -> None:
        on_change(control.key, control.clean(new))

    with solara.v.Html(tag="div", attributes={"title": control.help}, class_="cogov-control"):
        if control.kind == "switch":
            solara.Switch(
                label=control.label, value=bool(value), on_value=changed, disabled=control.disabled
            )
        elif control.kind == "choice":
            solara.Select(
                control.label,
                values=list(control.choices),
                value=str(value),
                on_value=changed,
                disabled=control.disabled,
            )
        else:
            solara.Text(f"{control.label}: {format_value(control, value)}", classes=["cogov-lab"])
            slider = solara.SliderInt if control.kind == "int" else solara.SliderFloat
            slider(
                "",
                value=value,
                min=control.minimum,
                max=control.maximum,
                step=control.step,
                on_value=changed,
                thumb_label=False,
                disabled=control.disabled,
            )


@solara.component
def ControlGroup(
    title: str,
    controls: tuple[Control, ...],
    settings: AppSettings,
    on_change: Callable[[str, Any], None],
    head: Control | None = None,
):
    """A control (optional) with a folded group of more controls, drawn only while unfolded."""
    unfolded = solara.use_reactive(False)
    with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
        if head is not None:
            ControlInput(head, current_value(settings, head.key), on_change)
        solara.Button(
            f"{title} {'▾' if unfolded.value else '▸'}",
            text=True,
            small=True,
            on_click=lambda: unfolded.set(not unfolded.value),
            classes=["cogov-fold"],
        )
    if unfolded.value:
        with solara.v.Html(tag="div", class_="cogov-group"):
            for control in controls:
                value = False if control.disabled else current_value(settings, control.key)
                ControlInput(control, value, on_change)


@solara.component
def SettingsPanel(
    settings: solara.Reactive[AppSettings],
    session: SessionScenario,
    error: solara.Reactive[str | None],
    running: AppSettings,
):
    """Scenario picker, seed, mechanism switches and parameters; every change is validated."""
    shipped = app_scenarios()
    own_file = solara.use_reactive(settings.value.source not in shipped)

    def apply(new: AppSettings) -> None:
        settings.set(new)
        problem = session.update(new)
        error.set(str(problem) if problem else None)

    def on_change(key: str, value: Any) -> None:
        apply(session.settings.with_value(key, value))

    def pick(name: str) -> None:
        if name == OWN_FILE:
            own_file.set(True)
            return
        own_file.set(False)
        apply(AppSettings(source=name))

    def on_seed(seed: int | None) -> None:
        if seed is not None:
            on_change("seed", seed)

    typed = settings.value
    # The controls show, and changes build on, the settings that will run (the last valid
    # ones: what Reset and Save use), not those of a path or value that was refused.
    now = session.settings
    with solara.Card("Scenario", margin=0, classes=["cogov-card"]):
        choice = OWN_FILE if own_file.value else now.source
        solara.Select("Scenario", values=[*shipped, OWN_FILE], value=choice, on_value=pick)
        if own_file.value:
            solara.InputText(
                "Scenario file (YAML path on the server)",
                value="" if typed.source in shipped else typed.source,
                on_value=lambda path: apply(AppSettings(source=path)),
                continuous_update=False,
            )
        solara.InputInt("Seed", value=int(current_value(now, "seed")), on_value=on_seed)
        if error.value:
            solara.Error(
                f"Not applied: {error.value}. Reset uses the last valid settings "
                f"({describe(session.settings)}).",
                dense=True,
            )
        elif typed != running:
            solara.Info(f"Press Reset to run {describe(typed)}.", dense=True)

        solara.Markdown("**Mechanisms**")
        planned = []
        for group in mechanism_groups():
            if not group.built:
                planned.append(group)
                continue
            if group.parameters:
                ControlGroup("parameters", group.parameters, now, on_change, head=group.switch)
            else:
                ControlInput(group.switch, current_value(now, group.switch.key), on_change)
        if planned:
            ControlGroup("planned, not built yet", tuple(g.switch for g in planned), now, on_change)

        for section, controls in main_controls().items():
            solara.Markdown(f"**{section}**")
            for control in controls:
                ControlInput(control, current_value(now, control.key), on_change)
