"""The streaming benchmark's verdicts on issue 5's goals follow from its figures."""

from __future__ import annotations

from bench.stream_bench import Recorder, goals


def recorder(p50: float, p99: float, tokens: int, errors: int = 0) -> Recorder:
    latencies = [p50] * 60 + [p99] * 40  # p50 and p99 land on these values
    result = Recorder(latencies_ms=latencies, tokens=tokens, errors=["x"] * errors)
    result.elapsed = 10.0
    return result


def test_every_goal_met():
    rows = {
        "project": {
            1: recorder(0.7, 2, 480),
            100: recorder(9, 30, 42000),
            200: recorder(17, 46, 45000),
        },
        "relay": {
            1: recorder(0.6, 1, 490),
            100: recorder(1, 15, 45000),
            200: recorder(9, 39, 55000),
        },
    }
    lines = goals(rows, recorder(3, 26, 120000))
    assert len(lines) == 4 and all(line.endswith(", met") for line in lines), lines
    assert (
        "project 200 replies (4500 tok/s delivered), relay 200 replies (5500 tok/s): 82%"
        in lines[2]
    )


def test_a_level_over_100_ms_or_with_errors_does_not_count_and_misses_are_reported():
    rows = {
        "project": {
            1: recorder(6, 9, 480),
            100: recorder(40, 120, 30000),
            200: recorder(5, 50, 45000, errors=1),
        },
        "relay": {
            1: recorder(0.6, 1, 490),
            100: recorder(1, 15, 45000),
            200: recorder(9, 39, 55000),
        },
    }
    lines = goals(rows, recorder(3, 150, 120000))
    assert [line.endswith("NOT met") for line in lines] == [True, True, True, True]
    assert "project 1 replies (48 tok/s delivered)" in lines[2]


def test_rounds_of_a_level_combine_into_one_row():
    from bench.stream_bench import combined, row

    first, second = recorder(1, 10, 40000), recorder(3, 30, 50000)
    second.elapsed = 12.5
    first.stolen, second.stolen = 0.02, 0.11
    both = combined([first, second])
    assert both.tokens == 90000 and both.elapsed == 22.5
    assert len(both.latencies_ms) == 200 and max(both.latencies_ms) == 30
    assert both.rounds == [4000, 4000]
    assert row("project (/events)", 100, both) == (
        "| project (/events) | 100 | 3.0 | 30.0 | 5000 | 4000 (4000 / 4000) | 0 | 11% |"
    )


def test_the_relays_best_level_is_the_one_that_delivered_most_not_the_largest():
    rows = {
        "project": {200: recorder(16, 75, 46000), 300: recorder(24, 108, 41000)},
        "relay": {200: recorder(10, 98, 50000), 300: recorder(11, 83, 45000)},
    }
    [line] = goals(rows, None)
    assert "project 200 replies (4600 tok/s delivered), relay 200 replies (5000 tok/s)" in line
    assert line.endswith("92%, met")


def test_stolen_cpu_is_the_share_of_all_cpu_time_the_host_took():
    from bench.stream_bench import cpu_times, stolen_between

    assert stolen_between((100, 10_000), (350, 12_000)) == 0.125
    assert stolen_between(None, (1, 2)) is None and stolen_between((5, 9), (5, 9)) is None
    now = cpu_times()
    assert now is None or (0 <= now[0] <= now[1])
