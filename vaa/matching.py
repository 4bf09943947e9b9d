"""The matching engine: the math of ../shared/design/matching.md on numpy arrays.

Arrays in, arrays out; NaN marks a statement the voter skipped or an entity left
unanswered. matching.md is the specification; the formulas, in the code's names:

Positions on a k-point scale (2 <= k <= 11), option j = 0 .. k-1:

    x(j) = 2j/(k-1) - 1                                   in [-1, 1]

Per-statement distance d in [0, 1] and the agreement g shown to the voter:

    cityblock     d = |v - p| / 2                         g = 1 - d
    euclidean     d = (v - p)^2 / 4                       g = 1 - |v - p| / 2
    directional   d = (1 - v p) / 2                       g = 1 - d
    hybrid        d = (cityblock + directional) / 2       g = 1 - d

A = statements the voter answered with w_i > 0. An entity's gap on an i in A is
filled per `missing`: max p = -1 if v_i > 0 else +1 (furthest from v_i); neutral
p = 0; skip leaves i out of A_e for that entity only.

    D_e = sum_{A_e} w d / sum_{A_e} w      (euclidean: sqrt of it)
    score_e = 100 (1 - D_e)                NaN when A_e is empty

Theme scores restrict A_e to a theme's statements. Uncertainty, over A_e with x = g
(euclidean: x = u = d, ends mapped through 100 (1 - sqrt(.)) and swapped):

    W = sum w,  m = sum w x / W,  s2 = sum w (x - m)^2 / W,  n_eff = W^2 / sum w^2
    se = sqrt(s2 / max(n_eff - 1, 1)),  interval = 100 [m - 1.645 se, m + 1.645 se] in [0, 100]

close_to_top(e): with delta_i = g_ti - g_ei over A_t & A_e (t the top entity), the same
m and se of delta satisfy m <= 1.645 se. Axis positions of a respondent:

    pos_a = sum l_ia y_i / sum |l_ia|      over answered i with l_ia != 0 (NaN if none)
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

Method = Literal["cityblock", "euclidean", "directional", "hybrid"]
Missing = Literal["max", "neutral", "skip"]
_METHODS: tuple[Method, ...] = ("cityblock", "euclidean", "directional", "hybrid")
METHODS: tuple[str, ...] = _METHODS
MISSING_POLICIES: tuple[str, ...] = ("max", "neutral", "skip")

Z = 1.645  # one-sided 95 % normal quantile (matching.md, "How sure is the ranking?")
TIE = 1e-9  # scores closer than this share a rank: float noise must not break a tie
# Batch scoring turns each distinct voter position into one matrix product; past this
# many distinct positions, broadcasting over (voters, entities, statements) is cheaper.
# Real scales have at most 11.
_MAX_LEVELS = 32


@dataclass(frozen=True)
class MatchResult:
    """One voter's match against every entity, all in percent."""

    scores: FloatArray  # (E,) NaN when A_e is empty
    agreements: FloatArray  # (E, Q) NaN where i is not in A_e
    theme_scores: FloatArray  # (E, T) NaN when no statement of the theme is in A_e
    intervals: FloatArray  # (E, 2) [low, high], NaN rows where the score is NaN
    order: NDArray[np.intp]  # entity indices, best first, NaN scores last, ties by id
    ranks: NDArray[np.intp]  # (E,) 1-based competition ranks (1, 1, 3)
    close_to_top: BoolArray  # (E,) cannot be told apart from the top entity


def round_half_up(x: float, ndigits: int = 0) -> float:
    """Round halves up, floor(x 10^n + 0.5) / 10^n, as the browser does (NaN stays NaN)."""
    if not math.isfinite(x):
        return x
    scale = 10.0**ndigits
    return math.floor(x * scale + 0.5) / scale


def scale_positions(k: int) -> FloatArray:
    """The positions of a k-point scale's options, -1 to 1 (ValueError unless 2 <= k <= 11)."""
    if not 2 <= k <= 11:
        raise ValueError(f"a scale has 2 to 11 options, not {k}")
    j = np.arange(k, dtype=np.float64)
    # 2j/(k-1) - 1 over one denominator: opposite options are then exact negatives, so
    # symmetric answers tie exactly instead of differing in the last bit.
    return (2 * j - (k - 1)) / (k - 1)


def statement_distance(v: FloatArray | float, p: FloatArray | float, method: Method) -> FloatArray:
    """Per-statement distance d in [0, 1] (NaN where either side is NaN); broadcasts."""
    _check_method(method)
    va, pa = np.asarray(v, dtype=np.float64), np.asarray(p, dtype=np.float64)
    cityblock: FloatArray = np.abs(va - pa) / 2
    if method == "cityblock":
        return cityblock
    if method == "euclidean":
        # squared half difference; the square root comes after aggregation
        return cityblock**2
    directional: FloatArray = (1 - va * pa) / 2
    if method == "directional":
        return directional
    return (cityblock + directional) / 2


def statement_agreement(v: FloatArray | float, p: FloatArray | float, method: Method) -> FloatArray:
    """Per-statement agreement g in [0, 1] shown to the voter; broadcasts."""
    if method == "euclidean":
        # the voter sees the linear agreement, not 1 - squared distance
        return 1 - statement_distance(v, p, "cityblock")
    return 1 - statement_distance(v, p, method)


def impute(voter: FloatArray, entities: FloatArray, missing: Missing) -> FloatArray:
    """Entity positions (E, Q) with gaps on the voter's answered statements filled per `missing`.

    `skip` fills nothing; gaps where the voter skipped stay NaN under every policy.
    """
    _check_missing(missing)
    v, p = _vector(voter, "voter"), _matrix(entities, "entities")
    if p.shape[1] != v.shape[0]:
        raise ValueError(f"entities have {p.shape[1]} statements, the voter {v.shape[0]}")
    return _impute(v, p, missing)


def match(
    voter: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    entity_ids: Sequence[str],
    themes: NDArray[np.intp],
    n_themes: int,
    method: Method = "cityblock",
    missing: Missing = "max",
) -> MatchResult:
    """Score one voter against every entity and explain it (ValueError if nothing answered)."""
    _check_method(method)
    _check_missing(missing)
    v, w, p = _voter_inputs(voter, weights, entities)
    if len(entity_ids) != p.shape[0]:
        raise ValueError(f"{len(entity_ids)} entity ids for {p.shape[0]} entities")
    onehot = _theme_matrix(themes, n_themes, v.shape[0])
    terms = _terms(v, w, p, method, missing)
    scores = _aggregate(terms.weighted_distance.sum(axis=1), terms.weight.sum(axis=1), method)
    order, ranks = _rank(scores, entity_ids)
    return MatchResult(
        scores=scores,
        agreements=np.where(terms.mask, 100 * terms.agreement, np.nan),
        theme_scores=_aggregate(terms.weighted_distance @ onehot, terms.weight @ onehot, method),
        intervals=_interval(terms, method),
        order=order,
        ranks=ranks,
        close_to_top=_close_to_top(terms, scores, order),
    )


def sensitivity(
    voter: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    entity_ids: Sequence[str],
    missing: Missing,
) -> dict[str, int | None]:
    """The top entity's index under each method (same `missing`); None when none scores."""
    _check_missing(missing)
    v, w, p = _voter_inputs(voter, weights, entities)
    if len(entity_ids) != p.shape[0]:
        raise ValueError(f"{len(entity_ids)} entity ids for {p.shape[0]} entities")
    top: dict[str, int | None] = {}
    for method in _METHODS:
        terms = _terms(v, w, p, method, missing)
        scores = _aggregate(terms.weighted_distance.sum(axis=1), terms.weight.sum(axis=1), method)
        order, _ = _rank(scores, entity_ids)
        scored = order.size > 0 and not math.isnan(scores[order[0]])
        top[method] = int(order[0]) if scored else None
    return top


def match_groups(
    voter: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    entity_ids: Sequence[str],
    groups: Sequence[Sequence[int]],
    themes: NDArray[np.intp],
    n_themes: int,
    method: Method = "cityblock",
    missing: Missing = "max",
) -> list[tuple[MatchResult, dict[str, int | None]]]:
    """match() and sensitivity() of each group of entities (indices into `entities`) among
    its own members, as calling both on the group's rows would give, with every term
    worked out once for all entities (a voter's ranking and each race's are one pass)."""
    _check_method(method)
    _check_missing(missing)
    v, w, p = _voter_inputs(voter, weights, entities)
    if len(entity_ids) != p.shape[0]:
        raise ValueError(f"{len(entity_ids)} entity ids for {p.shape[0]} entities")
    onehot = _theme_matrix(themes, n_themes, v.shape[0])
    own = _terms(v, w, p, method, missing)
    weight_sum = own.weight.sum(axis=1)
    scores = {method: _aggregate(own.weighted_distance.sum(axis=1), weight_sum, method)}
    # the other methods need only their distances: A_e, the weights and the imputed
    # positions do not depend on the method (as _terms builds them)
    filled = _impute(v, p, missing)
    for m in _METHODS:
        if m != method:
            distance = np.where(own.mask, statement_distance(v, filled, m), 0.0)
            scores[m] = _aggregate((own.weight * distance).sum(axis=1), weight_sum, m)
    agreements = np.where(own.mask, 100 * own.agreement, np.nan)
    intervals = _interval(own, method)
    # an entity's theme scores do not depend on the group it is ranked in
    theme_scores = _aggregate(own.weighted_distance @ onehot, own.weight @ onehot, method)
    out: list[tuple[MatchResult, dict[str, int | None]]] = []
    for group in groups:
        rows = np.asarray(group, dtype=np.intp)
        ids = [entity_ids[e] for e in group]
        sub = _Terms(
            mask=own.mask[rows],
            weight=own.weight[rows],
            distance=own.distance[rows],
            agreement=own.agreement[rows],
        )
        group_scores = scores[method][rows]
        order, ranks = _rank(group_scores, ids)
        scored = order.size > 0 and not math.isnan(group_scores[order[0]])
        top: dict[str, int | None] = {
            m: (int(order[0]) if scored else None)
            if m == method
            else _top(scores[m][rows].tolist(), ids)
            for m in _METHODS
        }
        result = MatchResult(
            scores=group_scores,
            agreements=agreements[rows],
            theme_scores=theme_scores[rows],
            intervals=intervals[rows],
            order=order,
            ranks=ranks,
            close_to_top=_close_to_top(sub, group_scores, order),
        )
        out.append((result, top))
    return out


def axis_positions(answers: FloatArray, loadings: FloatArray) -> FloatArray:
    """Positions (n, A) in [-1, 1] of n respondents; NaN where no answered statement loads."""
    y, loads = _matrix(answers, "answers"), _matrix(loadings, "loadings")
    if loads.shape[0] != y.shape[1]:
        raise ValueError(f"loadings cover {loads.shape[0]} statements, answers {y.shape[1]}")
    if not np.isfinite(loads).all():
        raise ValueError("loadings must be finite (0 for no loading)")
    answered = ~np.isnan(y)
    # weights never move positions, and gaps are left out, never imputed
    total: FloatArray = np.where(answered, y, 0.0) @ loads
    reach: FloatArray = answered.astype(np.float64) @ np.abs(loads)
    return _divide(total, reach)


def batch_scores(
    answers: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    method: Method,
    missing: Missing,
    chunk_size: int = 4096,
    dtype: type[np.floating] = np.float64,
) -> FloatArray:
    """Scores (n, E) of n voters, as match() gives them; NaN rows where a voter's A is empty.

    Voters are scored `chunk_size` at a time, so memory beyond the inputs and the output
    stays bounded whatever n is. `dtype=np.float32` (opt-in) sums in single precision,
    two to three times as fast (near the one-hot matmul floor, bench/bench_batch.py); its
    scores are within FLOAT32_TOLERANCE of the float64 ones. Set OPENBLAS_NUM_THREADS=1
    on a shared machine: these products are small, and BLAS threads there cost more than
    they bring.
    """
    _check_method(method)
    _check_missing(missing)
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {chunk_size}")
    if dtype not in (np.float64, np.float32):
        raise ValueError(f"dtype must be float64 or float32, not {dtype}")
    v, w, p = (
        _matrix(answers, "answers"),
        _matrix(weights, "weights"),
        _matrix(entities, "entities"),
    )
    if w.shape != v.shape:
        raise ValueError(f"weights have shape {w.shape}, answers {v.shape}")
    if p.shape[1] != v.shape[1]:
        raise ValueError(f"entities have {p.shape[1]} statements, answers {v.shape[1]}")
    _check_positions(p, "entities")
    if dtype is np.float32:
        return _batch_scores_f32(v, w, p, method, missing, chunk_size)
    scores = np.empty((v.shape[0], p.shape[0]), dtype=np.float64)
    tables: dict[float, FloatArray] = {}  # shared by the chunks: a scale's positions recur
    for start in range(0, v.shape[0], chunk_size):
        chunk = slice(start, start + chunk_size)
        # checked chunk by chunk: a check on the whole input would build (n, Q) temporaries
        _check_weights(w[chunk])
        _check_positions(v[chunk], "answers")
        scores[chunk] = _chunk_scores(v[chunk], w[chunk], p, method, missing, tables)
    return scores


FLOAT32_TOLERANCE = 1e-3
"""Percentage points: batch_scores(dtype=np.float32) differs from float64 by at most this
(every summand is >= 0, so the sums keep float32's relative precision; tests check it)."""


def _batch_scores_f32(
    v: FloatArray, w: FloatArray, p: FloatArray, method: Method, missing: Missing, size: int
) -> FloatArray:
    """batch_scores in float32, at the one-hot floor: per chunk and scale position x, one
    comparison, one product and one matrix product with x's table, into reused buffers.

    Each table carries, beside the (Q, E) distances, the columns that sum the weights (a
    column of ones; under "skip", the entities' presence): the denominator comes out of
    the same product. The checks ride along: an answer that matches no table (counted
    per position) is a new position, checked to lie in [-1, 1] and added; a NaN or
    infinite weight turns the chunk's sums non-finite; only the sign of the weights
    needs a pass of its own.
    """
    n, q, e = v.shape[0], v.shape[1], p.shape[0]
    scores = np.empty((n, e), dtype=np.float64)
    sums = (~np.isnan(p)).T if missing == "skip" else np.ones((q, 1), dtype=bool)
    tables: dict[float, NDArray[np.float32]] = {}
    rows = min(size, n)
    wf = np.empty((rows, q), dtype=np.float32)
    weighted = np.empty_like(wf)
    mask = np.empty((rows, q), dtype=bool)
    part = np.empty((rows, e + sums.shape[1]), dtype=np.float32)
    total = np.empty_like(part)

    def add_levels(values: FloatArray) -> bool:
        """Tables for positions not seen yet; False when there would be too many."""
        for x in np.unique(values[~np.isnan(values)]).tolist():
            if x in tables:
                continue
            if not -1 <= x <= 1:
                raise ValueError("answers positions must lie in [-1, 1] (NaN for none)")
            if len(tables) >= _MAX_LEVELS:
                return False
            table = np.empty((q, total.shape[1]), dtype=np.float32)
            table[:, :e] = _distance_table(x, p, method, missing)
            table[:, e:] = sums
            tables[x] = table
        return True

    for start in range(0, n, size):
        vc, wc = v[start : start + size], w[start : start + size]
        c = vc.shape[0]
        np.copyto(wf[:c], wc, casting="same_kind")
        if not wf[:c].min(initial=0.0) >= 0:  # NaN fails too
            raise ValueError("weights must be finite and >= 0")
        if not tables:
            add_levels(vc[:64])  # a sample: the count below finds any position it missed
        for _attempt in (1, 2):
            out, covered = total[:c], 0
            out.fill(0.0)
            with np.errstate(invalid="ignore", over="ignore"):  # an infinite weight: below
                for x, table in tables.items():
                    np.equal(vc, x, out=mask[:c])
                    covered += int(np.count_nonzero(mask[:c]))
                    np.multiply(wf[:c], mask[:c], out=weighted[:c])
                    np.matmul(weighted[:c], table, out=part[:c])
                    out += part[:c]
            np.equal(vc, vc, out=mask[:c])  # answered: NaN is unequal to itself
            if covered == int(np.count_nonzero(mask[:c])) or not add_levels(vc):
                break
        if covered != int(np.count_nonzero(mask[:c])):  # not a scale: as in float64
            _check_positions(vc, "answers")
            scores[start : start + c] = _chunk_scores(vc, wc, p, method, missing, {})
            continue
        num, weight = out[:, :e], out[:, e:]
        if not np.isfinite(weight).all():  # a NaN or infinite weight reaches every sum
            raise ValueError("weights must be finite and >= 0 (and below float32's 3.4e38)")
        # 100 (1 - D) in place; where the voter's A is empty every sum is 0, and 0/0 is NaN
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(num, weight, out=num)
        if method == "euclidean":
            np.sqrt(num, out=num)
        np.subtract(1.0, num, out=num)
        np.multiply(num, 100.0, out=scores[start : start + c])
    return scores


# --- one voter ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Terms:
    """Per-statement terms of one voter against every entity, zero outside A_e."""

    mask: BoolArray  # (E, Q) i in A_e
    weight: FloatArray  # (E, Q) w_i
    distance: FloatArray  # (E, Q) d_i
    agreement: FloatArray  # (E, Q) g_i

    @property
    def weighted_distance(self) -> FloatArray:
        """w_i d_i, the summands of D_e."""
        return self.weight * self.distance


def _terms(v: FloatArray, w: FloatArray, p: FloatArray, method: Method, missing: Missing) -> _Terms:
    """The terms every output is built from (ValueError when A is empty)."""
    answered = ~np.isnan(v) & (w > 0)
    if not answered.any():
        raise ValueError("no statement answered")
    filled = _impute(v, p, missing)
    mask = answered & ~np.isnan(filled)
    return _Terms(
        mask=mask,
        weight=np.where(mask, w, 0.0),
        distance=np.where(mask, statement_distance(v, filled, method), 0.0),
        agreement=np.where(mask, statement_agreement(v, filled, method), 0.0),
    )


def _impute(v: FloatArray, p: FloatArray, missing: Missing) -> FloatArray:
    """Fill p's gaps where v is answered; broadcasts v (..., Q) against p (E, Q)."""
    if missing == "skip":
        return p
    # max: the position furthest from v; a neutral voter meets +1 (matching.md)
    fill = np.where(v > 0, -1.0, 1.0) if missing == "max" else np.zeros_like(v)
    gap = np.isnan(p) & ~np.isnan(v)
    return np.where(gap, fill, p)


def _aggregate(total: FloatArray, weight: FloatArray, method: Method) -> FloatArray:
    """100 (1 - D) from sum w d and sum w; NaN where sum w is 0."""
    mean = _divide(total, np.broadcast_to(weight, total.shape))
    if method == "euclidean":
        mean = np.sqrt(mean)
    return 100 * (1 - mean)


def _mean_se(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Weighted mean and standard error along the last axis (w is 0 outside the sample)."""
    total = w.sum(axis=-1)
    m = _divide((w * x).sum(axis=-1), total)
    s2 = _divide((w * (x - m[..., np.newaxis]) ** 2).sum(axis=-1), total)
    n_eff = _divide(total**2, (w**2).sum(axis=-1))  # Kish effective number of statements
    # one statement carries no spread: s2 is 0 and the divisor stays 1
    se: FloatArray = np.sqrt(s2 / np.maximum(n_eff - 1, 1))
    return m, se


def _interval(terms: _Terms, method: Method) -> FloatArray:
    """The (E, 2) interval in percent around each score; NaN rows where A_e is empty."""
    if method == "euclidean":
        m, se = _mean_se(terms.distance, terms.weight)
        low, high = np.clip(m - Z * se, 0, 1), np.clip(m + Z * se, 0, 1)
        # a high mean squared distance is a low score: the ends swap
        return 100 * np.stack([1 - np.sqrt(high), 1 - np.sqrt(low)], axis=1)
    m, se = _mean_se(terms.agreement, terms.weight)
    return 100 * np.clip(np.stack([m - Z * se, m + Z * se], axis=1), 0, 1)


def _close_to_top(terms: _Terms, scores: FloatArray, order: NDArray[np.intp]) -> BoolArray:
    """Entities the top one is not ahead of with 95 % one-sided confidence (matching.md)."""
    close: BoolArray = np.zeros(scores.shape, dtype=np.bool_)
    if order.size == 0 or math.isnan(scores[order[0]]):
        return close
    top = int(order[0])
    shared = terms.mask & terms.mask[top]
    w = np.where(shared, terms.weight[top], 0.0)
    delta = np.where(shared, terms.agreement[top] - terms.agreement, 0.0)
    m, se = _mean_se(delta, w)
    # with no statement in common nothing tells the two apart
    apart = (w.sum(axis=1) > 0) & (m > Z * se)
    close = ~np.isnan(scores) & ~apart
    close[top] = True
    return close


def _rank(
    scores: FloatArray, entity_ids: Sequence[str]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Order (best first, NaN last, ties by id) and competition ranks (1, 1, 3)."""
    n = len(scores)
    scored = sorted(
        (e for e in range(n) if not math.isnan(scores[e])),
        key=lambda e: (-scores[e], entity_ids[e], e),
    )
    # near-equal scores form one group, measured from the group's best score, so a chain
    # of tiny differences cannot stretch a tie
    groups: list[list[int]] = []
    for e in scored:
        if groups and scores[groups[-1][0]] - scores[e] <= TIE:
            groups[-1].append(e)
        else:
            groups.append([e])
    groups.append([e for e in range(n) if math.isnan(scores[e])])
    order: list[int] = []
    ranks = np.zeros(n, dtype=np.intp)
    for group in groups:
        members = sorted(group, key=lambda e: (entity_ids[e], e))
        ranks[members] = len(order) + 1
        order.extend(members)
    return np.array(order, dtype=np.intp), ranks


def _top(scores: list[float], entity_ids: Sequence[str]) -> int | None:
    """order[0] of _rank(scores, entity_ids) without ordering the rest: the first of the
    best score's tie group by id; None when nothing scores."""
    valid = [e for e, x in enumerate(scores) if not math.isnan(x)]
    if not valid:
        return None
    first = min(valid, key=lambda e: (-scores[e], entity_ids[e], e))
    group = [e for e in valid if scores[first] - scores[e] <= TIE]
    return min(group, key=lambda e: (entity_ids[e], e))


# --- many voters ----------------------------------------------------------------------


def _chunk_scores(
    v: FloatArray,
    w: FloatArray,
    p: FloatArray,
    method: Method,
    missing: Missing,
    tables: dict[float, FloatArray],
) -> FloatArray:
    """Scores (c, E) of a chunk of voters; `tables` gains the new positions' d tables."""
    answered = ~np.isnan(v) & (w > 0)
    wa = np.where(answered, w, 0.0)
    if missing == "skip":
        weight: FloatArray = wa @ (~np.isnan(p)).T.astype(np.float64)
    else:
        weight = wa.sum(axis=1, keepdims=True)
    # Every voter at position x on statement i meets the same d against entity e (an
    # imputed gap depends on x only), so the chunk's sum_{A_e} w d is one matrix product
    # per distinct position x with that position's (Q, E) table of d.
    total = np.zeros((v.shape[0], p.shape[0]), dtype=np.float64)
    left = answered
    for x, table in tables.items():
        at_x = v == x
        total += (wa * at_x) @ table
        left = left & ~at_x
    # positions no earlier chunk had: usually the first chunk's scale, then none
    new = np.unique(v[left]) if left.any() else np.empty(0)
    if len(tables) + new.size <= _MAX_LEVELS:
        for x in new.tolist():
            tables[x] = table = _distance_table(x, p, method, missing)
            total += (wa * (v == x)) @ table
    else:
        total += _broadcast_sums(v, wa * left, p, method, missing)
    return _aggregate(total, weight, method)


def _distance_table(x: float, p: FloatArray, method: Method, missing: Missing) -> FloatArray:
    """d between a voter at position x and each entity, as a (Q, E) table, 0 if left out."""
    at_x = np.full(p.shape[1], x, dtype=np.float64)
    d = statement_distance(at_x, _impute(at_x, p, missing), method)
    return np.ascontiguousarray(np.nan_to_num(d, nan=0.0).T)


def _broadcast_sums(
    v: FloatArray, wa: FloatArray, p: FloatArray, method: Method, missing: Missing
) -> FloatArray:
    """sum_i wa_i d_i per voter and entity, broadcasting over (voters, entities, statements)."""
    voters = v[:, np.newaxis, :]
    d = statement_distance(voters, _impute(voters, p, missing), method)
    # skipped or left-out statements carry weight 0, but 0 * NaN is NaN
    total: FloatArray = np.einsum("cq,ceq->ce", wa, np.nan_to_num(d, nan=0.0))
    return total


# --- checks and small helpers ---------------------------------------------------------


def _divide(num: FloatArray, den: FloatArray) -> FloatArray:
    """num / den, NaN where den is 0 (no warning)."""
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _check_method(method: str) -> None:
    """ValueError unless `method` is one of METHODS."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _check_missing(missing: str) -> None:
    """ValueError unless `missing` is one of MISSING_POLICIES."""
    if missing not in MISSING_POLICIES:
        raise ValueError(
            f"unknown missing policy {missing!r}; expected one of {', '.join(MISSING_POLICIES)}"
        )


def _vector(x: FloatArray, name: str) -> FloatArray:
    """x as a float64 vector (ValueError if not 1-D)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, not shape {a.shape}")
    return a


def _matrix(x: FloatArray, name: str) -> FloatArray:
    """x as a float64 matrix (ValueError if not 2-D)."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be 2-D, not shape {a.shape}")
    return a


def _check_weights(w: FloatArray) -> None:
    """ValueError unless every weight is finite and >= 0."""
    if not (np.isfinite(w) & (w >= 0)).all():
        raise ValueError("weights must be finite and >= 0")


def _check_positions(x: FloatArray, name: str) -> None:
    """ValueError unless every position is NaN or in [-1, 1]."""
    if (np.abs(x) > 1).any():
        raise ValueError(f"{name} positions must lie in [-1, 1] (NaN for none)")


def _voter_inputs(
    voter: FloatArray, weights: FloatArray, entities: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One voter's checked arrays: positions (Q,), weights (Q,), entities (E, Q)."""
    v, w, p = _vector(voter, "voter"), _vector(weights, "weights"), _matrix(entities, "entities")
    if w.shape != v.shape:
        raise ValueError(f"{w.shape[0]} weights for {v.shape[0]} statements")
    if p.shape[1] != v.shape[0]:
        raise ValueError(f"entities have {p.shape[1]} statements, the voter {v.shape[0]}")
    _check_weights(w)
    _check_positions(v, "voter")
    _check_positions(p, "entities")
    return v, w, p


def _theme_matrix(themes: NDArray[np.intp], n_themes: int, n_statements: int) -> FloatArray:
    """A (Q, T) 0/1 matrix: statement i belongs to theme t."""
    t = np.asarray(themes)
    if t.shape != (n_statements,):
        raise ValueError(f"themes must have shape ({n_statements},), not {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= n_themes):
        raise ValueError(f"theme indices must lie in [0, {n_themes})")
    member: BoolArray = t[:, np.newaxis] == np.arange(n_themes)
    return member.astype(np.float64)
