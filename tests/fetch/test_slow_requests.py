"""``InFlight`` (fetch/politeness.py): which requests in flight to a host stop counting as slow.
A pure unit: times are given, nothing waits."""

from __future__ import annotations

from sitecheck.fetch.politeness import SLOW_AFTER, InFlight


def _answered(flight: InFlight, took: float, at: float, count: int = 5) -> None:
    """``count`` requests sent at ``at`` and answered after ``took`` seconds."""
    for _ in range(count):
        number = flight.sent(at)
        assert flight.done(number, at + took) is False


def test_a_request_is_not_slow_before_its_time() -> None:
    flight = InFlight()
    _answered(flight, 0.02, 0.0)
    number = flight.sent(1.0)
    assert flight.release(1.0 + SLOW_AFTER - 0.01, cap=8) == 0
    assert flight.counts(number)


def test_a_request_waiting_on_a_host_that_answers_quickly_is_released() -> None:
    flight = InFlight()
    _answered(flight, 0.02, 0.0)
    first, second = flight.sent(1.0), flight.sent(1.1)
    assert flight.release(1.0 + SLOW_AFTER, cap=8) == 1  # the second has not waited long enough
    assert not flight.counts(first) and flight.counts(second)
    assert flight.released == 1
    assert flight.release(1.1 + SLOW_AFTER, cap=8) == 1
    # The owner counted them out when they were released: their end is not counted again.
    assert flight.done(first, 20.0) is True and flight.done(second, 20.0) is True
    assert flight.released == 0


def test_a_host_whose_answers_are_all_slow_keeps_its_requests_counted() -> None:
    flight = InFlight()
    assert flight.release(100.0, cap=8) == 0  # nothing answered yet: nothing to compare with
    _answered(flight, 1.5, 0.0)
    number = flight.sent(10.0)
    assert flight.release(10.0 + 5 * SLOW_AFTER, cap=8) == 0
    assert flight.counts(number)


def test_a_request_overtaken_by_a_quick_answer_is_released() -> None:
    flight = InFlight()
    _answered(flight, 1.5, 0.0)  # a slow host so far
    waiting = flight.sent(10.0)
    later = flight.sent(10.5)
    flight.done(later, 10.6)  # sent after it, answered at once: its own endpoint is slow
    assert flight.release(10.0 + SLOW_AFTER, cap=8) == 1
    assert not flight.counts(waiting)


def test_a_later_answer_that_is_slow_too_overtakes_nothing() -> None:
    flight = InFlight()
    _answered(flight, 1.5, 0.0)
    waiting = flight.sent(10.0)
    later = flight.sent(10.1)
    flight.done(later, 11.5)  # a slow server answering out of order by a hair
    assert flight.release(12.0, cap=8) == 0
    assert flight.counts(waiting)


def test_no_more_than_cap_are_released_at_once() -> None:
    flight = InFlight()
    _answered(flight, 0.02, 0.0)
    numbers = [flight.sent(1.0) for _ in range(5)]
    assert flight.release(5.0, cap=3) == 3
    assert [flight.counts(n) for n in numbers] == [False, False, False, True, True]
    flight.done(numbers[0], 6.0)  # a released one ends: room for one more
    assert flight.release(6.0, cap=3) == 1


def test_grace_counts_the_wait_before_a_request_is_sent() -> None:
    # The dispatcher counts from before the host's interval: it allows that much more.
    flight = InFlight()
    _answered(flight, 0.3, 0.0)  # quick once the interval of 0.3 s is allowed for
    number = flight.sent(1.0)
    assert flight.release(1.0 + SLOW_AFTER, cap=8) == 0  # not quick without the grace
    assert flight.release(1.0 + SLOW_AFTER + 0.29, cap=8, grace=0.3) == 0  # not yet slow with it
    assert flight.release(1.0 + SLOW_AFTER + 0.31, cap=8, grace=0.3) == 1
    assert not flight.counts(number)
