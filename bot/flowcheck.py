"""``vecino flows check``: faults with file, step and reason, and what each message costs."""

from __future__ import annotations

from collections.abc import Callable

from .capabilities import build_capabilities
from .channels.sms import render_text
from .config import Settings
from .engine import Engine, load_flows, validate
from .engine.actions import builtin_capabilities
from .engine.runner import MAIN_FLOW, WELCOME_FLOW
from .i18n import Catalogs
from .segments import count_segments

SEGMENT_WARNING = 3


def check_flows(settings: Settings, echo: Callable[[str], None], verbose: bool = True) -> bool:
    """Print faults (and segment counts); True when every flow is valid."""
    flows = load_flows(settings.flows_dir)
    capabilities = builtin_capabilities()
    extra = build_capabilities()
    capabilities.actions.update(extra.actions)
    capabilities.predicates.update(extra.predicates)
    faults = validate(
        flows,
        actions=capabilities.actions,
        predicates=capabilities.predicates,
        required_flows=(MAIN_FLOW, WELCOME_FLOW),
        validators=extra.validators,
    )
    for fault in faults:
        echo(f"ERROR {fault}")
    if faults:
        echo(f"{len(faults)} fault(s) in {settings.flows_dir}")
        return False

    engine = Engine(flows, Catalogs(settings.locales_dir), extra)
    warnings = 0
    for flow in flows:
        if verbose:
            echo(f"{flow.path.name if flow.path else flow.id} ({flow.id})")
        for step in flow.steps.values():
            languages = [None] if step.bilingual else ["en", "es"]
            for language in languages:
                message = engine.preview(flow.id, step.id, language)
                if message is None:
                    continue
                count = count_segments(render_text(message))
                label = language or "es+en"
                line = (
                    f"  {step.id:<28} {label:<6} {count.segments} segment(s) "
                    f"{count.encoding:<5} {count.units:>4} units"
                )
                if count.segments > SEGMENT_WARNING:
                    warnings += 1
                    echo(
                        f"WARNING {flow.id}/{step.id} [{label}]: {count.segments} segments "
                        f"(more than {SEGMENT_WARNING}); shorten it"
                    )
                elif verbose:
                    echo(line)
    echo(f"{len(list(flows))} flow(s) OK" + (f", {warnings} warning(s)" if warnings else ""))
    return True
