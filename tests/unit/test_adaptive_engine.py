"""vaa.adaptive on a tiny election, against values computed by hand (docs/adaptive.md)."""

import math

import numpy as np
import pytest

from vaa import adaptive

NAN = math.nan
LEVELS = np.array([-1.0, 0.0, 1.0])  # a 3-point scale
# entity A and B on three statements: they agree on s0, differ on s1 and s2
P = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, -1.0]])
IDS = ["a", "b"]
# K(. | +1) at lam = 3: logits -6, -3, 0 -> exp 0.00247875, 0.04978707, 1 (sum 1.05226582)
K_PLUS = [0.00235563, 0.04731416, 0.95033021]


def test_kernel_by_hand() -> None:
    k = adaptive.kernel(LEVELS, np.array([[1.0, NAN]]), lam=3.0)
    assert k[0, 0] == pytest.approx(K_PLUS, abs=1e-8)
    assert k[0, 1] == pytest.approx([1 / 3] * 3)  # unanswered: uniform


def test_components_mix_the_kernel_with_noise_and_pairs() -> None:
    comp = adaptive.components(LEVELS, P)
    # (A, r) x 4, (B, r) x 4, (A+B, r) x 4, no party
    assert comp.shape == (13, 3, 3)
    # (A, r = 0.3) on s1 (A: +1): 0.7 K(. | +1) + 0.1
    assert comp[1, 1] == pytest.approx([0.7 * x + 0.1 for x in K_PLUS])
    # (A+B, r = 0.1) on s1 (+1 and -1): 0.9 (K(. | +1) + K(. | -1)) / 2 + 0.1 / 3
    half = [(x + y) / 2 for x, y in zip(K_PLUS, K_PLUS[::-1], strict=True)]
    assert comp[8, 1] == pytest.approx([0.9 * x + 0.1 / 3 for x in half])
    assert comp[12] == pytest.approx(np.full((3, 3), 1 / 3))
    # prior: 0.6 over the 8 single components, 0.3 over the 4 pairs, 0.1 no party
    assert adaptive.prior(2) == pytest.approx([0.075] * 12 + [0.1])


def test_posterior_by_hand() -> None:
    # voter +1 on s1. P(+1 | A, r) = (1 - r) 0.95033021 + r / 3 for r = .1 .3 .5 .7:
    # 0.88863052 + 0.76523115 + 0.64183177 + 0.51843240 = 2.81412584;
    # B (K = 0.00235563): 0.03545340 + 0.10164894 + 0.16784448 + 0.23404002 = 0.53898684;
    # A+B (K = 0.47634292): 0.46204196 + 0.43344004 + 0.40483813 + 0.37623621 = 1.67655634;
    # times the prior 0.075 each: 0.21105944, 0.04042401, 0.12574173; no party 0.1 / 3
    # = 0.03333333; sum 0.41055851
    pi = adaptive.posterior(np.array([NAN, 1.0, NAN]), LEVELS, P, temper=1.0)
    assert pi == pytest.approx([0.514078, 0.098461, 0.306270, 0.081190], abs=1e-6)
    # nothing answered: the prior, summed over the noise rates
    pi0 = adaptive.posterior(np.full(3, NAN), LEVELS, P)
    assert pi0 == pytest.approx([0.3, 0.3, 0.3, 0.1])


def test_tempered_posterior_by_hand() -> None:
    # the engine's own posterior counts each answer's log-likelihood TEMPER = 0.85 times
    # (docs/adaptive.md, Tempering): the same voter, each P(+1 | z) to the power 0.85:
    # A 0.90450931 + 0.79656963 + 0.68597459 + 0.57212156 = 2.95917509;
    # B 0.05850719 + 0.14323114 + 0.21936686 + 0.29100243 = 0.71210761;
    # A+B 0.51877520 + 0.49134855 + 0.46364886 + 0.43565380 = 1.90942641;
    # u (1/3)^0.85 = 0.39304922; times the prior: 0.22193813, 0.05340807, 0.14320698 and
    # 0.03930492, sum 0.45785810
    assert adaptive.TEMPER == 0.85
    pi = adaptive.posterior(np.array([NAN, 1.0, NAN]), LEVELS, P)
    assert pi == pytest.approx([0.484731, 0.116648, 0.312776, 0.085845], abs=1e-6)
    # tempered, the voter is less sure to be like A than untempered (0.514078): the
    # certainty of a top match said after few answers was too high (bench_adaptive)
    assert pi[0] < adaptive.posterior(np.array([NAN, 1.0, NAN]), LEVELS, P, temper=1.0)[0]
    # tau = 0 ignores the answers: the prior
    flat = adaptive.posterior(np.array([NAN, 1.0, NAN]), LEVELS, P, temper=0.0)
    assert flat == pytest.approx([0.3, 0.3, 0.3, 0.1])


def test_top_gain_is_the_information_of_an_answer_on_the_top() -> None:
    # four draws: the option of s0 decides the top (ln 2), s1's does not (0)
    options = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    tops = np.array([0, 0, 1, 1])
    gains = adaptive.top_gains(options, tops, k=2, n_e=2)
    assert gains == pytest.approx([math.log(2), 0.0])


def test_choose_breaks_ties_by_the_next_key_then_by_order() -> None:
    remaining = np.array([True, True, True, False])
    first = np.array([0.5, 0.5, 0.1, 9.0])  # s3 is not in R
    assert adaptive.choose(remaining, first, np.array([0.1, 0.2, 0.9, 0.0])) == 1
    assert adaptive.choose(remaining, first, np.array([0.2, 0.2, 0.9, 0.0])) == 0
    # a third key decides what the first two leave tied
    even = np.array([0.2, 0.2, 0.9, 0.0])
    assert adaptive.choose(remaining, first, even, np.array([0.0, 1.0, 0.0, 0.0])) == 1
    assert adaptive.choose(np.zeros(4, dtype=bool), first, first) is None


def test_leaders_are_every_entity_tied_at_the_best() -> None:
    scores = np.array([[50.0, 50.0 - 1e-10, 10.0], [NAN, 20.0, 30.0], [NAN, NAN, NAN]])
    assert adaptive.leaders(scores).tolist() == [
        [True, True, False],  # within matching.TIE: a tie
        [False, False, True],
        [False, False, False],
    ]


def test_lookahead_by_hand() -> None:
    # four draws over two entities; after answering s0 with option 0 the top is entity
    # 0, with option 1 entity 1; s1's answer leaves entity 0 on top either way
    options = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    answered_tops = np.array([[0, 1], [0, 0]])
    leading = np.array([[True, False], [True, True], [False, True], [True, False]])
    # s0: draws 0 (top 0, leads), 1 (top 0, tied), 2 (top 1, leads), 3 (top 1, not): 3/4
    # s1: entity 0 leads in draws 0, 1 and 3: 3/4; with no top after s1, never kept
    got = adaptive.lookahead(answered_tops, options, leading)
    assert got == pytest.approx([0.75, 0.75])
    none = adaptive.lookahead(np.array([[0, 1], [-1, -1]]), options, leading)
    assert none == pytest.approx([0.75, 0.0])


def test_a_tie_in_the_full_result_keeps_the_top() -> None:
    # -1 on s1: B agrees, A is 1 away, so B is on top. If the voter answers +1 on s2, A
    # and B tie over all three (each 1 away once); the tie goes to "a" by id, but B is
    # among the tied, so the voter keeps B: 0 and -1 on s2 keep B alone. Certainty 1.
    got = adaptive.step(
        np.array([NAN, -1.0, NAN]), np.ones(3), np.zeros(3, dtype=bool), LEVELS, P, entity_ids=IDS
    )
    assert (got.top, got.certainty) == (1, 1.0)


def test_component_information_by_hand() -> None:
    # two components, uniform and "always option 0", each 1/2: the mixture is (3/4, 1/4)
    comp = np.array([[[0.5, 0.5]], [[1.0, 0.0]]])
    gains = adaptive.information_gains(np.array([0.5, 0.5]), comp)
    h = -(3 / 4 * math.log(3 / 4) + 1 / 4 * math.log(1 / 4))
    assert gains[0] == pytest.approx(h - 0.5 * math.log(2))


def test_step_edges() -> None:
    w = np.ones(3)
    none = np.zeros(3, dtype=bool)
    first = adaptive.step(np.full(3, NAN), w, none, LEVELS, P, entity_ids=IDS)
    assert first.certainty == 0.0 and first.top is None
    assert first.statement in (1, 2)  # s0 cannot separate A and B
    # all answered: nothing left, the top cannot change
    done = adaptive.step(np.array([1.0, 1.0, 1.0]), w, none, LEVELS, P, entity_ids=IDS)
    assert (done.statement, done.certainty, done.top) == (None, 1.0, 0)
    # +1 on s1: A agrees there, B is 1 away; s0 cannot tell them apart and s2 can at best
    # bring B level, and a tie goes to "a" by id: A stays on top whatever is drawn
    sure = adaptive.step(np.array([NAN, 1.0, NAN]), w, none, LEVELS, P, entity_ids=IDS)
    assert (sure.certainty, sure.top) == (1.0, 0)
    # a null (shown, skipped) s1 is never asked again
    skipped = adaptive.step(
        np.array([1.0, NAN, NAN]), w, np.array([False, True, False]), LEVELS, P, entity_ids=IDS
    )
    assert skipped.statement == 2
    assert 0.0 < skipped.certainty < 1.0  # A and B tie after s0 ("a" on top); s2 decides


def test_step_is_deterministic() -> None:
    w = np.ones(3)
    none = np.zeros(3, dtype=bool)
    v = np.array([1.0, NAN, NAN])
    assert adaptive.step(v, w, none, LEVELS, P, entity_ids=IDS) == adaptive.step(
        v, w, none, LEVELS, P, entity_ids=IDS
    )


def test_tops_takes_ties_by_id() -> None:
    scores = np.array([[50.0, 50.0, 10.0], [NAN, 20.0, 30.0], [NAN, NAN, NAN]])
    rank = adaptive._id_rank(["z", "m", "a"])
    assert adaptive.tops(scores, rank).tolist() == [1, 2, -1]


def test_uniforms_pinned() -> None:
    # pinned so the browser's port (same integer arithmetic) can be checked against them
    u = adaptive.uniforms(np.array([0, 1, 2], dtype=np.int64), np.array([0, 0, 5], dtype=np.int64))
    assert ((u > 0) & (u < 1)).all()
    again = adaptive.uniforms(np.array([0, 1, 2], dtype=np.int64), np.array([0, 0, 5]))
    assert (u == again).all()


def test_the_lookahead_example_of_the_docs() -> None:
    # docs/adaptive.md: +1 on s0 only, where A and B agree: "a" on top of a tie, 264 of
    # the 400 draws keep it; s1 and s2 are alike and the lookahead takes s2 (384 vs 372
    # draws keep the top shown after the answer)
    got = adaptive.step(
        np.array([1.0, NAN, NAN]), np.ones(3), np.zeros(3, dtype=bool), LEVELS, P, entity_ids=IDS
    )
    assert (got.statement, got.certainty, got.top) == (2, 0.66, 0)
