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
from typing import Literal, overload

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
    onehot = theme_matrix(themes, n_themes, v.shape[0])
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


@dataclass(frozen=True)
class GroupRanking:
    """One group's ranking among its own members, in indices into all the entities."""

    order: list[int]  # best first, NaN scores last, ties by id (as MatchResult.order)
    ranks: list[int]  # 1-based competition rank of each entity in `order`
    close_to_top: list[bool]  # of each entity in `order`
    top: dict[str, int | None]  # the top entity under each method (None: none scores)


@dataclass(frozen=True)
class VoterMatch:
    """One voter against every entity, each group ranked among itself, in percent."""

    scores: FloatArray  # (E,) under the requested method; NaN when A_e is empty
    agreements: FloatArray  # (E, Q) NaN where i is not in A_e
    theme_scores: FloatArray  # (E, T)
    intervals: FloatArray  # (E, 2)
    groups: list[GroupRanking]  # one per group asked for (an empty group: empty lists)


@dataclass(frozen=True)
class StatementTables:
    """d of every method between each entity and a voter at each scale position, under one
    `missing` policy: what match_voter gathers instead of working it out per voter."""

    mask: BoolArray  # (E, Q, K + 1) i in A_e for a voter at levels[k]; slot K: skipped
    distances: FloatArray  # (4, E, Q, K + 1) d of each method (METHODS order), 0 outside A_e
    columns: NDArray[np.intp]  # arange(Q)


def statement_tables(
    entities: FloatArray, levels: Sequence[float], missing: Missing
) -> StatementTables:
    """The tables for voters whose positions are among `levels` (a scale's positions)."""
    _check_missing(missing)
    p = _matrix(entities, "entities")
    _check_positions(p, "entities")
    x = np.asarray(levels, dtype=np.float64)
    _check_positions(x, "levels")
    e, q, k = p.shape[0], p.shape[1], x.shape[0]
    mask = np.zeros((e, q, k + 1), dtype=np.bool_)
    distances = np.zeros((4, e, q, k + 1), dtype=np.float64)
    for j, level in enumerate(x.tolist()):
        # statement_distance of each method, as match() builds it for a voter at `level`
        v = np.full(q, level)
        filled = _impute(v, p, missing)
        present = ~np.isnan(filled)
        cityblock = np.abs(v - filled) / 2
        directional = (1 - v * filled) / 2
        d = np.stack([cityblock, cityblock**2, directional, (cityblock + directional) / 2])
        mask[:, :, j] = present
        distances[:, :, :, j] = np.where(present, d, 0.0)
    return StatementTables(mask=mask, distances=distances, columns=np.arange(q))


@dataclass(frozen=True)
class Groups:
    """Groups of entities (indices) to rank each among itself, with their membership."""

    members: list[list[int]]
    matrix: BoolArray  # (G, E)

    @classmethod
    def of(cls, groups: Sequence[Sequence[int]], n_entities: int) -> "Groups":
        """The groups of `n_entities` entities."""
        matrix = np.zeros((len(groups), n_entities), dtype=np.bool_)
        for g, members in enumerate(groups):
            matrix[g, list(members)] = True
        return cls(members=[list(m) for m in groups], matrix=matrix)


def match_voter(
    options: Sequence[int],
    weights: FloatArray,
    tables: StatementTables,
    *,
    id_order: Sequence[int],
    groups: Groups,
    onehot: FloatArray,
    method: Method = "cityblock",
) -> VoterMatch:
    """match() of every entity, and sensitivity() and the ranking of each group among its
    own members, in one pass: the voter's terms gathered from `tables` (`options`: the
    voter's level index per statement, -1 for a skip), every group's top and close_to_top
    at once (ValueError if nothing answered). `id_order` ranks the entities by id (unique
    ids); `onehot` is theme_matrix's (Q, T). The numbers are bit for bit those of match()."""
    _check_method(method)
    w = _vector(weights, "weights")
    k = np.asarray(options, dtype=np.intp)
    if k.shape != w.shape or k.shape != tables.columns.shape:
        raise ValueError(f"{k.shape} options and {w.shape} weights for {tables.columns.shape}")
    _check_weights(w)
    answered = (k >= 0) & (w > 0)
    if not answered.any():
        raise ValueError("no statement answered")
    at = np.where(answered, k, tables.mask.shape[2] - 1)
    mask = np.ascontiguousarray(tables.mask[:, tables.columns, at])
    distances = np.ascontiguousarray(tables.distances[:, :, tables.columns, at])
    weight = np.where(mask, w, 0.0)
    mi = _METHODS.index(method)
    weight_sum = weight.sum(axis=1)
    mean = _divide(
        (weight * distances).sum(axis=-1), np.broadcast_to(weight_sum, (4, mask.shape[0]))
    )
    mean[1] = np.sqrt(mean[1])
    every: FloatArray = 100 * (1 - mean)  # (4, E): each method's scores
    # the voter sees 1 - d, and for euclidean the linear 1 - cityblock
    agreement = np.where(mask, 1 - distances[0 if method == "euclidean" else mi], 0.0)
    own = _Terms(mask=mask, weight=weight, distance=distances[mi], agreement=agreement)
    scores = every[mi]
    theme_scores = _aggregate(own.weighted_distance @ onehot, weight @ onehot, method)
    tops = _group_tops(every, groups.matrix, id_order)
    # close_to_top pairs each group's members with the group's top (own method)
    paired: list[int] = []
    paired_top: list[int] = []
    for members, top in zip(groups.members, tops, strict=True):
        first = top[mi]
        if first is not None:
            paired += members
            paired_top += [first] * len(members)
    close = _close_to_tops(own, scores, paired, paired_top)
    key = [-s for s in scores.tolist()]
    keys = list(zip(key, id_order, strict=True))
    rankings = []
    start = 0
    for members, top in zip(groups.members, tops, strict=True):
        order, ranks = _rank_members(members, key, keys, id_order)
        if top[mi] is None:
            flags = [False] * len(order)
        else:
            of = dict(zip(members, close[start : start + len(members)], strict=True))
            flags = [of[e] for e in order]
            start += len(members)
        rankings.append(
            GroupRanking(
                order=order,
                ranks=ranks,
                close_to_top=flags,
                top=dict(zip(_METHODS, top, strict=True)),
            )
        )
    return VoterMatch(
        scores=scores,
        agreements=np.where(mask, 100 * agreement, np.nan),
        theme_scores=theme_scores,
        intervals=_interval(own, method),
        groups=rankings,
    )


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
    its own members, as calling both on the group's rows would give (match_voter's
    numbers, in each group's own indices; entity ids unique)."""
    _check_method(method)
    _check_missing(missing)
    v, w, p = _voter_inputs(voter, weights, entities)
    if len(entity_ids) != p.shape[0]:
        raise ValueError(f"{len(entity_ids)} entity ids for {p.shape[0]} entities")
    levels = np.unique(v[~np.isnan(v)]).tolist()
    at = {x: j for j, x in enumerate(levels)}
    found = match_voter(
        [-1 if math.isnan(x) else at[x] for x in v.tolist()],
        w,
        statement_tables(p, levels, missing),
        id_order=id_ranks(entity_ids),
        groups=Groups.of(groups, p.shape[0]),
        onehot=theme_matrix(themes, n_themes, v.shape[0]),
        method=method,
    )
    out: list[tuple[MatchResult, dict[str, int | None]]] = []
    for group, ranking in zip(groups, found.groups, strict=True):
        rows = np.asarray(group, dtype=np.intp)
        local = {e: k for k, e in enumerate(group)}
        ranks = np.zeros(len(group), dtype=np.intp)
        close = np.zeros(len(group), dtype=np.bool_)
        for e, rank, flag in zip(ranking.order, ranking.ranks, ranking.close_to_top, strict=True):
            ranks[local[e]], close[local[e]] = rank, flag
        result = MatchResult(
            scores=found.scores[rows],
            agreements=found.agreements[rows],
            theme_scores=found.theme_scores[rows],
            intervals=found.intervals[rows],
            order=np.array([local[e] for e in ranking.order], dtype=np.intp),
            ranks=ranks,
            close_to_top=close,
        )
        out.append((result, {m: None if e is None else local[e] for m, e in ranking.top.items()}))
    return out


def id_ranks(entity_ids: Sequence[str]) -> list[int]:
    """Each entity's place when the entities are sorted by id (match_voter's `id_order`)."""
    ranks = [0] * len(entity_ids)
    for r, e in enumerate(sorted(range(len(entity_ids)), key=lambda e: (entity_ids[e], e))):
        ranks[e] = r
    return ranks


def _group_tops(
    every: FloatArray, member: BoolArray, id_order: Sequence[int]
) -> list[list[int | None]]:
    """_top of each group ((G, E) membership) under each method ((4, E) scores), at once."""
    n = every.shape[1]
    scored = member[np.newaxis] & ~np.isnan(every)[:, np.newaxis, :]  # (4, G, E)
    values = every[:, np.newaxis, :]
    best = np.where(scored, values, -np.inf).max(axis=-1, keepdims=True)
    near = scored & (best - np.where(scored, values, np.nan) <= TIE)  # NaN compares False
    first = np.where(near, np.asarray(id_order)[np.newaxis, np.newaxis, :], n).argmin(axis=-1)
    found = np.where(scored.any(axis=-1), first, -1).T.tolist()  # (G, 4)
    return [[None if e < 0 else e for e in row] for row in found]


def _close_to_tops(
    terms: "_Terms", scores: FloatArray, entities: list[int], tops: list[int]
) -> list[bool]:
    """_close_to_top's flag of each entity against the top entity paired with it, all
    pairs (a group's members with the group's top) at once."""
    if not entities:
        return []
    e, t = np.asarray(entities, dtype=np.intp), np.asarray(tops, dtype=np.intp)
    shared = terms.mask[e] & terms.mask[t]
    w = np.where(shared, terms.weight[t], 0.0)
    delta = np.where(shared, terms.agreement[t] - terms.agreement[e], 0.0)
    m, se = _mean_se(delta, w)
    apart = (w.sum(axis=-1) > 0) & (m > Z * se)
    close: BoolArray = (~np.isnan(scores[e]) & ~apart) | (e == t)
    return close.tolist()  # type: ignore[no-any-return]


def _rank_members(
    members: Sequence[int],
    key: list[float],
    keys: list[tuple[float, int]],
    id_order: Sequence[int],
) -> tuple[list[int], list[int]]:
    """_rank of a group's members: their order and ranks (`key` is -score, NaN unscored;
    `keys` pairs it with id_order)."""
    scored = sorted([e for e in members if key[e] == key[e]], key=keys.__getitem__)
    order: list[int] = []
    ranks: list[int] = []
    i, n = 0, len(scored)
    while i < n:
        best, j = key[scored[i]], i + 1
        # near-equal scores form one group, measured from the group's best score
        while j < n and key[scored[j]] - best <= TIE:
            j += 1
        block = scored[i:j] if j - i == 1 else sorted(scored[i:j], key=id_order.__getitem__)
        ranks += [len(order) + 1] * len(block)
        order += block
        i = j
    unscored = sorted((e for e in members if key[e] != key[e]), key=id_order.__getitem__)
    ranks += [len(order) + 1] * len(unscored)
    order += unscored
    return order, ranks


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


@overload
def batch_scores(  # type: ignore[overload-overlap]  # numpy's float64 and float32 share a generic
    answers: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    method: Method,
    missing: Missing,
    chunk_size: int = 4096,
    dtype: type[np.float64] = np.float64,
) -> FloatArray: ...


@overload
def batch_scores(
    answers: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    method: Method,
    missing: Missing,
    chunk_size: int = 4096,
    dtype: type[np.float32],
) -> NDArray[np.float32]: ...


def batch_scores(
    answers: FloatArray,
    weights: FloatArray,
    entities: FloatArray,
    *,
    method: Method,
    missing: Missing,
    chunk_size: int = 4096,
    dtype: type[np.floating] = np.float64,
) -> NDArray[np.floating]:
    """Scores (n, E) of n voters, as match() gives them; NaN rows where a voter's A is empty.

    Voters are scored `chunk_size` at a time, so memory beyond the inputs and the output
    stays bounded whatever n is. `dtype=np.float32` (opt-in) sums in single precision,
    two to three times as fast (near the one-hot matmul floor, bench/bench_batch.py), and
    returns float32 scores (half the memory) within FLOAT32_TOLERANCE of the float64 ones.
    Set OPENBLAS_NUM_THREADS=1 on a shared machine: these products are small, and BLAS
    threads there cost more than they bring.
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
) -> NDArray[np.float32]:
    """batch_scores in float32, at the one-hot floor: per chunk and scale position x, one
    comparison, one product and one matrix product with x's table, into reused buffers.

    Each table holds, per statement, what a voter at x adds to each entity's numerator
    (100 g under cityblock, directional and hybrid, so that the score is the quotient
    itself; 10^4 d under euclidean, so that 100 sqrt(D) is one square root), then the
    columns that sum the weights (a column of ones; under "skip", the entities'
    presence), zero-padded to a multiple of 8 columns: BLAS's kernels run a third faster
    on 32 columns than on 30 or 31. The denominator comes out of the same product. The
    checks ride along: an answer that matches no table (counted per position) is a new
    position, checked to lie in [-1, 1] and added; a NaN or infinite weight turns the
    chunk's sums non-finite; only the sign of the weights needs a pass of its own.
    """
    n, q, e = v.shape[0], v.shape[1], p.shape[0]
    # float32 out as well: the sums carry no more, and 1M voters' scores take half the room
    scores = np.empty((n, e), dtype=np.float32)
    sums = (~np.isnan(p)).T if missing == "skip" else np.ones((q, 1), dtype=bool)
    s = sums.shape[1]
    width = -(-(e + s) // 8) * 8
    tables: dict[float, NDArray[np.float32]] = {}
    rows = min(size, n)
    wf = np.empty((rows, q), dtype=np.float32)
    weighted = np.empty_like(wf)
    mask = np.empty((rows, q), dtype=bool)
    flags = mask.view(np.uint8)  # float32 times uint8 runs 2.5x as fast as times bool
    part = np.empty((rows, width), dtype=np.float32)
    total = np.empty_like(part)

    def add_levels(values: FloatArray) -> bool:
        """Tables for positions not seen yet, built together; False when there would be
        too many."""
        new = [x for x in np.unique(values[~np.isnan(values)]).tolist() if x not in tables]
        if not new:
            return True
        if not (new[0] >= -1 and new[-1] <= 1):  # np.unique sorts
            raise ValueError("answers positions must lie in [-1, 1] (NaN for none)")
        room = _MAX_LEVELS - len(tables)
        built = np.zeros((min(len(new), room), q, width), dtype=np.float32)
        d = _distance_tables(np.asarray(new[: built.shape[0]]), p, method, missing)
        if method == "euclidean":
            built[:, :, :e] = 10_000 * d
        else:  # 100 (1 - d) where the entity counts, 0 where "skip" leaves it out
            built[:, :, :e] = np.where(sums, 100 * (1 - d), 0.0)
        built[:, :, e : e + s] = sums
        tables.update(zip(new, built, strict=False))
        return len(new) <= room

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
            if not tables:
                out.fill(0.0)
            with np.errstate(invalid="ignore", over="ignore"):  # an infinite weight: below
                for k, (x, table) in enumerate(tables.items()):
                    np.equal(vc, x, out=mask[:c])
                    covered += int(np.count_nonzero(mask[:c]))
                    np.multiply(wf[:c], flags[:c], out=weighted[:c])
                    # the first product is the sum so far: no zeroing, no addition
                    np.matmul(weighted[:c], table, out=part[:c] if k else out)
                    if k:
                        out += part[:c]
            np.equal(vc, vc, out=mask[:c])  # answered: NaN is unequal to itself
            answered = int(np.count_nonzero(mask[:c]))
            if covered == answered or not add_levels(vc):
                break
        if covered != answered:  # not a scale: as in float64
            _check_positions(vc, "answers")
            scores[start : start + c] = _chunk_scores(vc, wc, p, method, missing, {})
            continue
        num, weight = out[:, :e], out[:, e : e + s]
        if not np.isfinite(weight).all():  # a NaN or infinite weight reaches every sum
            raise ValueError("weights must be finite and >= 0 (and below float32's 3.4e38)")
        # where the voter's A is empty every sum is 0, and 0/0 is NaN
        into = scores[start : start + c]
        with np.errstate(invalid="ignore", divide="ignore"):
            np.divide(num, weight, out=into)
        if method == "euclidean":
            np.sqrt(into, out=into)
            np.subtract(100.0, into, out=into)
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


def _distance_tables(
    levels: FloatArray, p: FloatArray, method: Method, missing: Missing
) -> FloatArray:
    """_distance_table of each position in `levels` (L,), as one (L, Q, E) array."""
    x = levels[:, np.newaxis, np.newaxis]
    entities = p.T[np.newaxis]
    if missing != "skip":
        fill = np.where(x > 0, -1.0, 1.0) if missing == "max" else np.zeros_like(x)
        entities = np.where(np.isnan(entities), fill, entities)
    d = statement_distance(x, entities, method)
    return np.nan_to_num(d, nan=0.0)


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
    # dividing by NaN is quiet and gives NaN; elsewhere the quotient is num / den exactly
    out: FloatArray = num / np.where(den > 0, den, np.nan)
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


def theme_matrix(themes: NDArray[np.intp], n_themes: int, n_statements: int) -> FloatArray:
    """A (Q, T) 0/1 matrix: statement i belongs to theme t."""
    t = np.asarray(themes)
    if t.shape != (n_statements,):
        raise ValueError(f"themes must have shape ({n_statements},), not {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= n_themes):
        raise ValueError(f"theme indices must lie in [0, {n_themes})")
    member: BoolArray = t[:, np.newaxis] == np.arange(n_themes)
    return member.astype(np.float64)
