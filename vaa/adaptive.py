"""Quick mode: the certainty of the voter's top match and the next statement to ask.

Pure numpy like vaa.matching; docs/adaptive.md is the specification. Symbols:

k options at positions x_j (matching.scale_positions); Q statements; E entities with
positions p_ci (NaN = unanswered). The voter has answered the set S (positions v_i),
skipped the set N (shown, given as null) and not yet seen R = the rest.

Model of how a voter answers (a mixture): the voter "is like" entity c and deviates at
random with a rate r from the grid NOISE, or is halfway between two entities a < b
(each answer like a's or b's, half and half) with a rate r, or is like no party (u,
every answer at random); given the component, answers are independent:

    K(j | p)       = exp(-lam |x_j - p|) / sum_j' exp(-lam |x_j' - p|)    (p answered)
    K(j | NaN)     = 1 / k
    P(j | c, r)    = (1 - r) K(j | p_ci) + r / k,      P(j | u) = 1 / k
    P(j | a, b, r) = (1 - r) (K(j | p_ai) + K(j | p_bi)) / 2 + r / k
    prior:           1 - eps - BETWEEN evenly over the (c, r), BETWEEN over the
                     (a, b, r), eps on u
    posterior:       log pi_z = log pi0_z + tau sum_{i in S} log P(v_i | z)   (normalised)

tau = TEMPER tempers the posterior: the answers are not as independent given z as the
model says, and untempered the draws keep the current top too often (overconfident in
the middle bins). tau is fitted on training elections by bench/fit_temper.py (lowest
log loss of the certainty) and checked on held-out ones by bench/bench_adaptive.py.

Components are ordered (c0, r0), (c0, r1), ..., (c1, r0), ..., the pairs (a, b) in
lexicographic order with their rates, then u.

Draws: n = SAMPLES completed answer sheets from a counter-based hash, so every number
is a deterministic function of the inputs and the browser (adaptive.js) reproduces
it. Draw s picks the component with u(s, 0) against the cumulative pi, then statement
i in R gets the option j with u(s, i + 1) against the cumulative P(. | z). The drawn
answers carry the voter's weight of i (default 1), and are scored with matching's
method and missing policy; T_s is the top of draw s (ties by entity id).

    u(s, t) = (h(s * 0x9E3779B1 + t * 0x85EBCA77 + 0x27D4EB2F mod 2^32) + 0.5) / 2^32
    h = lowbias32: x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16

Certainty of the top match t (matching.match's top of the answers so far): the share
of draws in which t is among the leaders L_s, the entities whose score is within
matching.TIE of the best (a draw whose full result is a tie that includes t keeps t,
whichever id breaks that tie). With R empty it is 1; with S empty there is no top and
it is 0.

Next statement: among R, the one after whose answer the shown top is most likely to
be the final one (a one-step lookahead on the same draws). t_ij is the top of the
answers so far plus option j on i (ties by id; none counts as never kept), and

    A_i = (1/n) #{ s : t_{i, o_si} in L_s }      (o_si = the option draw s gave i)

ties (within 1e-12) by the mutual information of the drawn answer to i and T,

    G_i = sum_{j,t} (n_ijt / n) ln( n n_ijt / (n_ij. n_i.t) )      (nats; n_ijt counts draws)

then by the component information I_i = H(sum_z pi_z P(.|z)) - sum_z pi_z H(P(.|z)),
then by questionnaire order; None when R is empty.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vaa import matching
from vaa.matching import FloatArray, Method, Missing

LAMBDA = 3.0  # sharpness of the answer kernel (per unit of position, positions in [-1, 1])
NOISE = (0.1, 0.3, 0.5, 0.7)  # deviation rates a voter like an entity may have
EPSILON = 0.1  # prior weight of the "no party" component
BETWEEN = 0.3  # prior weight of the "between two entities" components
TEMPER = 0.85  # each answer's log-likelihood counts this much (bench/fit_temper.py)
SAMPLES = 400  # draws per step
SETTLED = 0.9  # default threshold: settled when certainty >= this
_MASK = 0xFFFFFFFF
_TIE = 1e-12


@dataclass(frozen=True)
class Step:
    """What quick mode shows next."""

    statement: int | None  # index of the next statement to ask, None when none is left
    certainty: float  # 0..1
    top: int | None  # index of the current top entity, None when nothing is answered


def hash32(x: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """lowbias32 on 32-bit unsigned integers held in uint64 (exact, vectorised)."""
    x = x & np.uint64(_MASK)
    x = x ^ (x >> np.uint64(16))
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(_MASK)
    x = x ^ (x >> np.uint64(15))
    x = (x * np.uint64(0x846CA68B)) & np.uint64(_MASK)
    return x ^ (x >> np.uint64(16))


def uniforms(s: NDArray[np.int64], t: NDArray[np.int64]) -> FloatArray:
    """u(s, t) in (0, 1), broadcasting s against t (the docstring's formula)."""
    a = (np.asarray(s, dtype=np.uint64) * np.uint64(0x9E3779B1)) & np.uint64(_MASK)
    b = (np.asarray(t, dtype=np.uint64) * np.uint64(0x85EBCA77)) & np.uint64(_MASK)
    h = hash32((a + b + np.uint64(0x27D4EB2F)) & np.uint64(_MASK))
    return (h.astype(np.float64) + 0.5) / 4294967296.0


def kernel(levels: FloatArray, entities: FloatArray, lam: float = LAMBDA) -> FloatArray:
    """K(j | p_ci) as an (E, Q, k) array; uniform where the entity did not answer."""
    p = np.asarray(entities, dtype=np.float64)
    logits = -lam * np.abs(levels[np.newaxis, np.newaxis, :] - p[:, :, np.newaxis])
    logits = np.where(np.isnan(logits), 0.0, logits)
    weights = np.exp(logits)
    out: FloatArray = weights / weights.sum(axis=2, keepdims=True)
    return out


def components(
    levels: FloatArray, entities: FloatArray, lam: float = LAMBDA, noise: Sequence[float] = NOISE
) -> FloatArray:
    """P(j | z) for every component z, statement and option: (Z, Q, k), in the order
    (c, r) for every entity c and rate r, then (a, b, r) for every pair a < b, then u."""
    kern = kernel(levels, entities, lam)
    n_e, q, k = kern.shape
    a, b = np.triu_indices(n_e, 1)
    profiles = np.concatenate([kern, (kern[a] + kern[b]) / 2.0], axis=0)  # (E + pairs, Q, k)
    r = np.asarray(noise, dtype=np.float64)[np.newaxis, :, np.newaxis, np.newaxis]
    mixed = (1.0 - r) * profiles[:, np.newaxis] + r / k
    out: FloatArray = np.concatenate([mixed.reshape(-1, q, k), np.full((1, q, k), 1.0 / k)], axis=0)
    return out


def prior(n_entities: int, eps: float = EPSILON, noise: Sequence[float] = NOISE) -> FloatArray:
    """pi0 over the components, in components() order: 1 - eps - BETWEEN over the single
    entities, BETWEEN over the pairs, eps for u."""
    g = len(noise)
    singles, pairs = n_entities * g, n_entities * (n_entities - 1) // 2 * g
    between = BETWEEN if pairs else 0.0
    out = np.empty(singles + pairs + 1)
    out[:singles] = (1.0 - eps - between) / singles if singles else 0.0
    out[singles : singles + pairs] = between / pairs if pairs else 0.0
    out[-1] = eps if singles else 1.0
    return out


def component_posterior(
    voter: FloatArray,
    levels: FloatArray,
    comp: FloatArray,
    pi0: FloatArray,
    temper: float = TEMPER,
) -> FloatArray:
    """pi over the components given the answers (positions, NaN = not answered), each
    answer's log-likelihood counted `temper` times."""
    v = np.asarray(voter, dtype=np.float64)
    answered = np.flatnonzero(~np.isnan(v))
    option = np.array([_level_index(levels, v[i]) for i in answered], dtype=np.intp)
    loglik = np.zeros(comp.shape[0])
    for i, j in zip(answered.tolist(), option.tolist(), strict=True):
        loglik += np.log(comp[:, i, j])  # one statement at a time, as adaptive.js adds
    with np.errstate(divide="ignore"):
        logpost = np.log(pi0) + temper * loglik
    logpost -= logpost.max()
    post: FloatArray = np.exp(logpost)
    out: FloatArray = post / post.sum()
    return out


def posterior(
    voter: FloatArray,
    levels: FloatArray,
    entities: FloatArray,
    lam: float = LAMBDA,
    eps: float = EPSILON,
    temper: float = TEMPER,
) -> FloatArray:
    """pi summed over the noise rates: E entities, "between two", "no party": (E + 2,)."""
    n_e = entities.shape[0]
    comp = components(levels, entities, lam)
    pi = component_posterior(voter, levels, comp, prior(n_e, eps), temper)
    g = len(NOISE)
    singles = pi[: n_e * g].reshape(n_e, g).sum(axis=1)
    out: FloatArray = np.append(singles, [pi[n_e * g : -1].sum(), pi[-1]])
    return out


def information_gains(pi: FloatArray, comp: FloatArray) -> FloatArray:
    """I_i for every statement, shape (Q,): mutual information of answer and component."""
    mixed = np.einsum("c,cqk->qk", pi, comp)
    gains: FloatArray = _entropy(mixed) - np.einsum("c,cq->q", pi, _entropy(comp))
    return gains


def top_gains(options: NDArray[np.intp], tops: NDArray[np.intp], k: int, n_e: int) -> FloatArray:
    """G_i for every statement (Q,): the mutual information, over the draws, of the drawn
    option of i (options, (n, Q)) and the draw's top (tops, (n,))."""
    n, q = options.shape
    key = (np.arange(q)[np.newaxis, :] * k + options) * n_e + tops[:, np.newaxis]
    joint = np.bincount(key.ravel(), minlength=q * k * n_e).reshape(q, k, n_e).astype(float)
    by_option = joint.sum(axis=2, keepdims=True)
    by_top = joint.sum(axis=1, keepdims=True)
    cells = joint > 0
    ratio = np.where(cells, joint * n / np.where(cells, by_option * by_top, 1.0), 1.0)
    gains: FloatArray = (joint / n * np.log(ratio)).sum(axis=(1, 2))
    return gains


def lookahead(
    answered_tops: NDArray[np.intp], options: NDArray[np.intp], leading: NDArray[np.bool_]
) -> FloatArray:
    """A_i for every statement (Q,): the share of draws whose leaders (leading, (n, E))
    include the top after answering i as the draw did; answered_tops (Q, k) holds t_ij
    (-1: no top, never kept)."""
    n, q = options.shape
    after = answered_tops[np.arange(q)[np.newaxis, :], options]  # (n, Q)
    kept = leading[np.arange(n)[:, np.newaxis], np.maximum(after, 0)] & (after >= 0)
    out: FloatArray = kept.mean(axis=0)
    return out


def leaders(scores: FloatArray) -> NDArray[np.bool_]:
    """(n, E): True where the entity's score is within matching.TIE of the row's best."""
    valid = ~np.isnan(scores)
    s = np.where(valid, scores, -np.inf)
    best = s.max(axis=1, keepdims=True) if s.shape[1] else s
    out: NDArray[np.bool_] = valid & (best - np.where(valid, scores, 0.0) <= matching.TIE)
    return out


def choose(remaining: NDArray[np.bool_], *keys: FloatArray) -> int | None:
    """The index in R of the largest first key, ties by the next, then by order; None if
    R is empty."""
    idx = np.flatnonzero(remaining)
    if idx.size == 0:
        return None
    for key in keys:
        a = key[idx]
        idx = idx[a >= a.max() - _TIE]
    return int(idx[0])


def step(
    voter: FloatArray,
    weights: FloatArray,
    shown: NDArray[np.bool_],
    levels: FloatArray,
    entities: FloatArray,
    *,
    entity_ids: Sequence[str],
    method: Method = "cityblock",
    missing: Missing = "max",
    lam: float = LAMBDA,
    eps: float = EPSILON,
    temper: float = TEMPER,
    samples: int = SAMPLES,
) -> Step:
    """The next statement, the certainty and the current top for one voter.

    voter (Q,) positions, NaN where not answered; shown (Q,) True where answered or
    skipped (never asked again); weights (Q,) as for matching.match.
    """
    v = np.asarray(voter, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    p = np.asarray(entities, dtype=np.float64)
    remaining = ~(np.asarray(shown, dtype=np.bool_) | ~np.isnan(v))
    comp = components(levels, p, lam)
    pi = component_posterior(v, levels, comp, prior(p.shape[0], eps), temper)
    answered = ~np.isnan(v) & (w > 0)
    rank = _id_rank(entity_ids)
    top = None
    if answered.any():
        own = matching.batch_scores(v[np.newaxis], w[np.newaxis], p, method=method, missing=missing)
        top = int(tops(own, rank)[0])
    if not remaining.any():
        return Step(statement=None, certainty=1.0 if top is not None else 0.0, top=top)
    options = draw(remaining, pi, comp, samples)
    sheets = np.broadcast_to(v, options.shape).copy()
    sheets[:, remaining] = levels[options[:, remaining]]
    scores = matching.batch_scores(
        sheets, np.broadcast_to(w, sheets.shape).copy(), p, method=method, missing=missing
    )
    drawn_tops = tops(scores, rank)
    leading = leaders(scores)
    nxt = choose(
        remaining,
        lookahead(next_tops(v, w, levels, p, rank, method, missing), options, leading),
        top_gains(options, np.maximum(drawn_tops, 0), levels.size, p.shape[0]),
        information_gains(pi, comp),
    )
    certainty = 0.0 if top is None else float(np.count_nonzero(leading[:, top])) / samples
    return Step(statement=nxt, certainty=certainty, top=top)


def next_tops(
    voter: FloatArray,
    weights: FloatArray,
    levels: FloatArray,
    entities: FloatArray,
    rank: NDArray[np.intp],
    method: Method,
    missing: Missing,
) -> NDArray[np.intp]:
    """t_ij (Q, k): the top of the answers with statement i answered as option j (the
    answers so far elsewhere); -1 where nothing scores."""
    q, k = voter.size, levels.size
    sheets = np.broadcast_to(voter, (q, k, q)).copy()
    sheets[np.arange(q), :, np.arange(q)] = levels[np.newaxis, :]
    flat = sheets.reshape(q * k, q)
    scores = matching.batch_scores(
        flat, np.broadcast_to(weights, flat.shape).copy(), entities, method=method, missing=missing
    )
    out: NDArray[np.intp] = tops(scores, rank).reshape(q, k)
    return out


def draw(
    remaining: NDArray[np.bool_], pi: FloatArray, comp: FloatArray, samples: int
) -> NDArray[np.intp]:
    """(samples, Q) drawn option indices (meaningful where remaining)."""
    _, q, k = comp.shape
    s = np.arange(samples, dtype=np.int64)
    z = _pick(uniforms(s, np.zeros(1, dtype=np.int64)), np.cumsum(pi))  # (samples,)
    cum = np.cumsum(comp[z], axis=2)  # (samples, Q, k)
    u = uniforms(s[:, np.newaxis], np.arange(1, q + 1, dtype=np.int64)[np.newaxis, :])
    j: NDArray[np.intp] = np.minimum((u[:, :, np.newaxis] >= cum).sum(axis=2), k - 1)
    return j


def tops(scores: FloatArray, rank: NDArray[np.intp]) -> NDArray[np.intp]:
    """The top entity of each row (n, E): best score, within matching.TIE of it the
    smallest id (rank = position of the id in sorted order); -1 where nothing scores."""
    valid = ~np.isnan(scores)
    s = np.where(valid, scores, -np.inf)
    best = np.where(valid.any(axis=1), s.max(axis=1), 0.0)[:, np.newaxis]
    group = valid & (best - np.where(valid, scores, 0.0) <= matching.TIE)
    keyed = np.where(group, rank[np.newaxis, :], rank.size)
    out: NDArray[np.intp] = np.where(group.any(axis=1), keyed.argmin(axis=1), -1)
    return out


def _id_rank(entity_ids: Sequence[str]) -> NDArray[np.intp]:
    """Each entity's place when sorted by (id, index)."""
    order = sorted(range(len(entity_ids)), key=lambda e: (entity_ids[e], e))
    rank = np.empty(len(entity_ids), dtype=np.intp)
    rank[order] = np.arange(len(entity_ids))
    return rank


def _pick(u: FloatArray, cum: FloatArray) -> NDArray[np.intp]:
    """Index of the first cumulative probability above u (clamped to the last)."""
    idx: NDArray[np.intp] = np.minimum((u[:, np.newaxis] >= cum).sum(axis=1), cum.size - 1)
    return idx


def _entropy(prob: FloatArray) -> FloatArray:
    """Entropy in nats along the last axis (0 log 0 = 0)."""
    logs = np.log(np.where(prob > 0, prob, 1.0))
    out: FloatArray = -(prob * logs).sum(axis=-1)
    return out


def _level_index(levels: FloatArray, x: float) -> int:
    """The option index of a position (ValueError if it is not on the scale)."""
    hits = np.flatnonzero(np.abs(levels - x) < 1e-9)
    if hits.size == 0:
        raise ValueError(f"position {x} is not on the scale")
    return int(hits[0])
