"""vaa.adaptive on a tiny election, against values computed by hand."""

import math

import numpy as np
import pytest

from vaa import adaptive

NAN = math.nan
LEVELS = np.array([-1.0, 0.0, 1.0])  # a 3-point scale
# entity A and B on three statements: they agree on s0, differ on s1 and s2
P = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
IDS = ["a", "b"]


def test_kernel_by_hand() -> None:
    # lam = 1.5, p = +1: logits -3, -1.5, 0 -> exp 0.049787, 0.223130, 1 (sum 1.272917)
    k = adaptive.kernel(LEVELS, np.array([[1.0, NAN]]), lam=1.5)
    assert k[0, 0] == pytest.approx([0.039112, 0.175290, 0.785597], abs=1e-6)
    assert k[0, 1] == pytest.approx([1 / 3] * 3)  # unanswered: uniform


def test_posterior_by_hand() -> None:
    # voter +1 on s1: likelihood A 0.785597, B 0.039112, uniform 1/3;
    # priors 0.35, 0.35, 0.3 -> 0.274959, 0.013689, 0.1 (sum 0.388648)
    pi = adaptive.posterior(np.array([NAN, 1.0, NAN]), LEVELS, P, lam=1.5, eps=0.3)
    assert pi == pytest.approx([0.707475, 0.035223, 0.257302], abs=1e-6)
    # nothing answered: the prior
    pi0 = adaptive.posterior(np.full(3, NAN), LEVELS, P, lam=1.5, eps=0.3)
    assert pi0 == pytest.approx([0.35, 0.35, 0.3])


def test_information_gain_by_hand() -> None:
    pi = np.array([0.35, 0.35, 0.3])
    kern = adaptive.kernel(LEVELS, P, lam=1.5)
    gains = adaptive.information_gains(pi, kern)
    # s0: A and B give the same K = q = (0.039112, 0.175290, 0.785597); the mixture is
    # 0.7 q + 0.3/3; I = H(mix) - 0.7 H(q) - 0.3 ln 3
    q = np.array([0.039112, 0.175290, 0.785597])
    mix = 0.7 * q + 0.1

    def h(x: np.ndarray) -> float:
        return float(-(x * np.log(x)).sum())

    assert gains[0] == pytest.approx(h(mix) - 0.7 * h(q) - 0.3 * math.log(3), abs=1e-5)
    # s1: A gives q, B its mirror; the mixture is symmetric
    mix1 = 0.35 * q + 0.35 * q[::-1] + 0.1
    assert gains[1] == pytest.approx(h(mix1) - 0.7 * h(q) - 0.3 * math.log(3), abs=1e-5)
    assert gains[1] > gains[0]


def test_next_statement_separates_and_breaks_ties_by_order() -> None:
    pi = np.array([0.35, 0.35, 0.3])
    kern = adaptive.kernel(LEVELS, P, lam=1.5)
    # s1 and s2 tie (the same split of A and B): the first in order wins
    assert adaptive.next_statement(np.array([True, True, True]), pi, kern) == 1
    assert adaptive.next_statement(np.array([True, False, True]), pi, kern) == 2
    assert adaptive.next_statement(np.array([True, False, False]), pi, kern) == 0
    assert adaptive.next_statement(np.array([False, False, False]), pi, kern) is None


def test_step_edges() -> None:
    w = np.ones(3)
    none = np.zeros(3, dtype=bool)
    first = adaptive.step(np.full(3, NAN), w, none, LEVELS, P, entity_ids=IDS)
    assert (first.statement, first.certainty, first.top) == (1, 0.0, None)
    # all answered: nothing left, the top cannot change
    done = adaptive.step(np.array([1.0, 1.0, 1.0]), w, none, LEVELS, P, entity_ids=IDS)
    assert (done.statement, done.certainty, done.top) == (None, 1.0, 0)
    # s0 and s1 agree with A (B is 1 away on s1); s2 left: B can at best tie... and the tie
    # goes to "a" by id, so A stays on top whatever is drawn: certainty exactly 1
    sure = adaptive.step(np.array([1.0, 1.0, NAN]), w, none, LEVELS, P, entity_ids=IDS)
    assert (sure.statement, sure.certainty, sure.top) == (2, 1.0, 0)
    # a null (shown, skipped) s1 is never asked again
    skipped = adaptive.step(
        np.array([1.0, NAN, NAN]), w, np.array([False, True, False]), LEVELS, P, entity_ids=IDS
    )
    assert skipped.statement == 2


def test_step_is_deterministic_and_between_0_and_1() -> None:
    w = np.ones(3)
    none = np.zeros(3, dtype=bool)
    v = np.array([1.0, NAN, NAN])
    a = adaptive.step(v, w, none, LEVELS, P, entity_ids=IDS)
    b = adaptive.step(v, w, none, LEVELS, P, entity_ids=IDS)
    assert a == b
    assert 0.0 < a.certainty < 1.0  # A and B tie after s0 ("a" on top); s1, s2 decide


def test_uniforms_pinned() -> None:
    # pinned so the browser's port (same integer arithmetic) can be checked against them
    u = adaptive.uniforms(np.array([0, 1, 2], dtype=np.int64), np.array([0, 0, 5], dtype=np.int64))
    assert ((u > 0) & (u < 1)).all()
    again = adaptive.uniforms(np.array([0, 1, 2], dtype=np.int64), np.array([0, 0, 5]))
    assert (u == again).all()
