"""The warehouse build's Cosmos WATCHER wiring (dags/warehouse_build.py): one producer task runs a
single `dbt build` of every model; each model keeps a task of its own, a sensor that reads the
model's result from the producer's XComs (no dbt start, no project parse per model).

Cosmos leaves the sensors beside the producer so that they can watch it live. That cannot run
under `airflow dags test` (the e2e tests): it runs one task at a time, so a sensor started before
the producer waits for a build that never starts. Here the sensors follow the producer instead:
the producer builds, then each model's task reports the model's own result at once (success,
failed, or skipped because a model it reads failed). The UI then shows the build's progress on
the producer and each model's outcome on its own task once the build ends.

Failure semantics: the root sensors also hang directly off the pin task, with the trigger rule
`all_done_min_one_success`, so they report after a failed producer (the pin succeeded) but not
after a failed pin (nothing to report: every dbt task is then upstream_failed). The producer is
not retried: Cosmos skips a producer's retry (it never runs a second whole build), and a skipped
producer would skip every model and let the run end green. A model whose build failed is retried
by its own task instead (Cosmos then runs that one model with `dbt run`)."""

from __future__ import annotations

from typing import Any

# Airflow's own names, kept as strings: this module must import without Airflow (mypy, units).
ALL_DONE_MIN_ONE_SUCCESS = "all_done_min_one_success"
PRODUCER_TASK = "dbt_producer_watcher"


def watch_after_the_producer(group: Any, pin_task: Any) -> None:
    """Put the group's producer (and pin_task) upstream of the model sensors that have no other
    upstream in the group, and stop the producer retrying (see the module docstring)."""
    from cosmos.operators._watcher.base import BaseConsumerSensor

    tasks = list(group.children.values())
    (producer,) = [t for t in tasks if t.task_id.endswith(f".{PRODUCER_TASK}")]
    in_group = {t.task_id for t in tasks}
    roots = [
        t
        for t in tasks
        if isinstance(t, BaseConsumerSensor) and not (t.upstream_task_ids & in_group)
    ]
    if not roots:
        raise ValueError(f"no model sensors in {group.group_id}: is the group in WATCHER mode?")
    producer.retries = 0
    for sensor in roots:
        sensor.trigger_rule = ALL_DONE_MIN_ONE_SUCCESS
        producer >> sensor
        pin_task >> sensor
