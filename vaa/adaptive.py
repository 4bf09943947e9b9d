"""Quick mode: the certainty of the voter's top match and the next statement to ask.

Pure numpy like vaa.matching; docs/adaptive.md is the specification. Symbols:

k options at positions x_j (matching.scale_positions); Q statements; E entities with
positions p_ci (NaN = unanswered). The voter has answered the set S (positions v_i),
skipped the set N (shown, given as null) and not yet seen R = the rest.

Model of how a voter answers (a mixture): the voter "is like" component c, one of the
E entities or a uniform "no party" component u, and answers each statement on their own:

    K(j | p)  = exp(-lam |x_j - p|) / sum_j' exp(-lam |x_j' - p|)    (p answered)
    K(j | NaN) = K(j | u) = 1 / k
    prior:      pi0_c = (1 - eps) / E for an entity, pi0_u = eps
    posterior:  log pi_c = log pi0_c + sum_{i in S} log K(v_i | p_ci)   (normalised)

Certainty of the top match t (matching.match's top of the answers so far):

    certainty = P( top of (S answered, R drawn from the model) == t )

estimated by Monte Carlo with n = SAMPLES draws from a counter-based hash, so the
number is a deterministic function of the inputs and the browser (adaptive.js)
reproduces it. Draw s picks c with u(s, 0) against the cumulative pi, then statement i
in R gets the option j with u(s, i + 1) against the cumulative K(. | p_ci). The drawn
answers carry the voter's weight of i (default 1), and are scored with matching's
method and missing policy; the top takes ties by entity id. With R empty the
certainty is 1; with S empty there is no top match and the certainty is 0.

    u(s, t) = (h(s * 0x9E3779B1 + t * 0x85EBCA77 + 0x27D4EB2F mod 2^32) + 0.5) / 2^32
    h = lowbias32: x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16

Next statement: among R, the one whose answer tells most about the component,

    I_i = H( sum_c pi_c K(. | p_ci) ) - sum_c pi_c H( K(. | p_ci) )      (nats)

the mutual information of the answer and c; ties (within 1e-12) by questionnaire
order; None when R is empty.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from vaa import matching
from vaa.matching import FloatArray, Method, Missing

LAMBDA = 1.5  # sharpness of the answer kernel (per unit of position, positions in [-1, 1])
EPSILON = 0.3  # prior weight of the uniform "no party" component
SAMPLES = 400  # Monte Carlo draws per certainty
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


def posterior(
    voter: FloatArray,
    levels: FloatArray,
    entities: FloatArray,
    lam: float = LAMBDA,
    eps: float = EPSILON,
) -> FloatArray:
    """pi over the E entities and the uniform component (last), shape (E + 1,)."""
    v = np.asarray(voter, dtype=np.float64)
    k = levels.shape[0]
    n_e = entities.shape[0]
    kern = kernel(levels, entities, lam)  # (E, Q, k)
    answered = np.flatnonzero(~np.isnan(v))
    option = np.array([_level_index(levels, v[i]) for i in answered], dtype=np.intp)
    loglik = np.zeros(n_e + 1)
    for i, j in zip(answered.tolist(), option.tolist(), strict=True):
        loglik[:n_e] += np.log(kern[:, i, j])
        loglik[n_e] += -math.log(k)
    prior = np.full(n_e + 1, (1 - eps) / n_e if n_e else 0.0)
    prior[n_e] = eps
    logpost = np.log(prior) + loglik
    logpost -= logpost.max()
    post: FloatArray = np.exp(logpost)
    out: FloatArray = post / post.sum()
    return out


def next_statement(remaining: NDArray[np.bool_], pi: FloatArray, kern: FloatArray) -> int | None:
    """The index in R of largest I_i (ties by order), None when R is empty."""
    idx = np.flatnonzero(remaining)
    if idx.size == 0:
        return None
    gains = information_gains(pi, kern)[idx]
    best = gains.max()
    return int(idx[np.flatnonzero(gains >= best - _TIE)[0]])


def information_gains(pi: FloatArray, kern: FloatArray) -> FloatArray:
    """I_i for every statement, shape (Q,): mutual information of answer and component."""
    _, q, k = kern.shape
    comp = np.concatenate([kern, np.full((1, q, k), 1.0 / k)], axis=0)  # (E + 1, Q, k)
    mixed = np.einsum("c,cqk->qk", pi, comp)
    gains: FloatArray = _entropy(mixed) - np.einsum("c,cq->q", pi, _entropy(comp))
    return gains


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
    samples: int = SAMPLES,
) -> Step:
    """The next statement, the certainty and the current top for one voter.

    voter (Q,) positions, NaN where not answered; shown (Q,) True where answered or
    skipped (never asked again); weights (Q,) as for matching.match.
    """
    v = np.asarray(voter, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    p = np.asarray(entities, dtype=np.float64)
    seen = np.asarray(shown, dtype=np.bool_) | ~np.isnan(v)
    remaining = ~seen
    pi = posterior(v, levels, p, lam, eps)
    kern = kernel(levels, p, lam)
    nxt = next_statement(remaining, pi, kern)
    answered = ~np.isnan(v) & (w > 0)
    if not answered.any():
        return Step(statement=nxt, certainty=0.0, top=None)
    top = _top(
        matching.batch_scores(v[np.newaxis], w[np.newaxis], p, method=method, missing=missing)[0],
        entity_ids,
    )
    if not remaining.any():
        return Step(statement=None, certainty=1.0, top=top)
    drawn = draw(v, remaining, pi, kern, levels, samples)
    scores = matching.batch_scores(
        drawn, np.broadcast_to(w, drawn.shape).copy(), p, method=method, missing=missing
    )
    keep = sum(1 for row in scores if _top(row, entity_ids) == top)
    return Step(statement=nxt, certainty=keep / samples, top=top)


def draw(
    voter: FloatArray,
    remaining: NDArray[np.bool_],
    pi: FloatArray,
    kern: FloatArray,
    levels: FloatArray,
    samples: int,
) -> FloatArray:
    """(samples, Q) completed answer sheets: R drawn from the model, the rest as given."""
    _, q, k = kern.shape
    s = np.arange(samples, dtype=np.int64)
    comp_cum = np.cumsum(pi)
    c = _pick(uniforms(s, np.zeros(1, dtype=np.int64)), comp_cum)  # (samples,)
    comp = np.concatenate([kern, np.full((1, q, k), 1.0 / k)], axis=0)
    cum = np.cumsum(comp[c], axis=2)  # (samples, Q, k)
    u = uniforms(s[:, np.newaxis], np.arange(1, q + 1, dtype=np.int64)[np.newaxis, :])
    j = np.minimum((u[:, :, np.newaxis] >= cum).sum(axis=2), k - 1)
    out = np.broadcast_to(np.asarray(voter, dtype=np.float64), (samples, q)).copy()
    out[:, remaining] = levels[j[:, remaining]]
    return out


def _pick(u: FloatArray, cum: FloatArray) -> NDArray[np.intp]:
    """Index of the first cumulative probability above u (clamped to the last)."""
    idx: NDArray[np.intp] = np.minimum((u[:, np.newaxis] >= cum).sum(axis=1), cum.size - 1)
    return idx


def _top(scores: FloatArray, entity_ids: Sequence[str]) -> int | None:
    """The top entity: best score, within matching.TIE of it the smallest id."""
    finite = [e for e in range(len(scores)) if not math.isnan(scores[e])]
    if not finite:
        return None
    best = max(scores[e] for e in finite)
    return min(
        (e for e in finite if best - scores[e] <= matching.TIE), key=lambda e: (entity_ids[e], e)
    )


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
