"""Tests of llmhistory.book.explore: grids, precomputed states, the static HTML, the live widget."""

from __future__ import annotations

import html
import itertools
import json
import re
import string
from pathlib import Path

import ipywidgets
import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from llmhistory.book.explore import (
    MAX_HTML_BYTES,
    MAX_POINTS,
    Explorable,
    explore,
    figure_to_svg,
    grid_points,
)
from llmhistory.book.html import report_html
from llmhistory.book.tables import format_table
from llmhistory.concepts.figures import BOOK_RC, SVG_RC

matplotlib.use("Agg")

KV_GRID = {
    "tokens": [1024, 2048, 4096, 8192, 16384],
    "batch": [1, 8, 32, 64],
    "dtype": ["fp16", "int8", "fp32"],
}
DTYPE_BYTES = {"fp16": 2, "int8": 1, "fp32": 4}


def report(text: str) -> str:
    """Return how a one-line text output is shown: a paragraph of a report (report_html)."""
    return f'<div class="llmh-report"><p>{text}</p></div>'


def precompute(func, grid, *, output="text"):
    """Return ``{point: html fragment}``: the states of an explorable, keyed by grid point."""
    states = explore(func, grid, title="t", output=output).states
    return dict(zip(grid_points(grid), states, strict=True))


def kv_text(tokens: int, batch: int, dtype: str) -> str:
    """KV cache of a 32-layer, d_model=4096 model: 2 (K and V) * layers * tokens * batch * d."""
    size = 2 * 32 * tokens * batch * 4096 * DTYPE_BYTES[dtype]
    return f"{size / 2**30:.2f} GiB"


def blob_of(page: str) -> dict:
    """Return the JSON data embedded in the static HTML."""
    match = re.search(r'<script type="application/json" data-role="states">(.*?)</script>', page)
    assert match is not None
    return json.loads(match.group(1))


def line_figure(tokens: int, log: bool) -> Figure:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, tokens], [1, 2 * tokens + 1], label="KV bytes")
    ax.set_yscale("log" if log else "linear")
    ax.set_title(f"tokens={tokens}")
    ax.legend()
    return fig


class TestGridPoints:
    def test_order_is_itertools_product_last_fastest(self):
        assert grid_points({"a": [1, 2], "b": ["x", "y", "z"]}) == [
            (1, "x"),
            (1, "y"),
            (1, "z"),
            (2, "x"),
            (2, "y"),
            (2, "z"),
        ]

    def test_one_parameter_one_value(self):
        assert grid_points({"heads": [1]}) == [(1,)]

    def test_numpy_values_become_python_scalars(self):
        points = grid_points({"tokens": np.array([1, 2]), "p": [np.float64(0.5)]})
        assert points == [(1, 0.5), (2, 0.5)]
        assert type(points[0][0]) is int and type(points[0][1]) is float

    def test_range_and_tuple_and_bool(self):
        assert grid_points({"n": range(2), "flag": (True, False)}) == [
            (0, True),
            (0, False),
            (1, True),
            (1, False),
        ]

    def test_largest_allowed_grid(self):
        assert MAX_POINTS == 400
        assert len(grid_points({"a": range(20), "b": range(20)})) == 400

    @settings(max_examples=50)
    @given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=4))
    def test_count_and_order_match_product(self, sizes):
        grid = {f"p{i}": list(range(n)) for i, n in enumerate(sizes)}
        points = grid_points(grid)
        assert len(points) == int(np.prod(sizes))
        assert points == list(itertools.product(*grid.values()))
        assert len(set(points)) == len(points)


BAD_GRIDS = [
    ([1, 2], TypeError, "grid must be a dict"),
    ({}, ValueError, "grid must have at least one parameter"),
    ({"tokens": []}, ValueError, r"grid\['tokens'\] must hold at least one value"),
    ({"tokens": "1024"}, TypeError, r"grid\['tokens'\] must be a list"),
    ({"tokens": {1, 2}}, TypeError, r"grid\['tokens'\] must be a list"),
    ({"tokens": [1, None]}, TypeError, r"grid\['tokens'\]\[1\] must be an int"),
    ({"tokens": [[1]]}, TypeError, r"grid\['tokens'\]\[0\] must be an int"),
    ({"p": [0.5, float("nan")]}, ValueError, r"grid\['p'\]\[1\] must be a finite number"),
    ({"tokens": [1, 2, 1]}, ValueError, r"grid\['tokens'\] must not repeat a value"),
    ({"flag": [1, True]}, ValueError, r"grid\['flag'\] must not repeat a value"),
    ({"my tokens": [1]}, ValueError, "grid parameter name 'my tokens' must be a Python identifier"),
    ({3: [1]}, TypeError, "grid parameter name must be a str"),
    ({"": [1]}, ValueError, "grid parameter name must be a non-empty string"),
    (
        {"tokens": range(21), "batch": range(20)},
        ValueError,
        r"grid has 21 x 20 = 420 points \(tokens=21, batch=20\); at most 400",
    ),
]


class TestValidation:
    @pytest.mark.parametrize(("grid", "error", "message"), BAD_GRIDS)
    def test_bad_grid_in_every_entry_point(self, grid, error, message):
        with pytest.raises(error, match=message):
            grid_points(grid)
        with pytest.raises(error, match=message):
            explore(str, grid, title="t")

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"func": 3}, TypeError, "func must be callable"),
            ({"title": ""}, ValueError, "title must be a non-empty string"),
            ({"title": None}, TypeError, "title must be a str"),
            ({"output": "png"}, ValueError, "output must be one of 'text', 'html', 'svg'"),
            ({"labels": ["Tokens"]}, TypeError, "labels must be a dict"),
            ({"labels": {"heads": "Heads"}}, ValueError, "labels key must be one of 'tokens'"),
            ({"labels": {"tokens": 3}}, TypeError, r"labels\['tokens'\] must be a str"),
            ({"initial": 2}, TypeError, "initial must be a dict"),
            ({"initial": {"heads": 2}}, ValueError, "initial key must be one of 'tokens'"),
            (
                {"initial": {"tokens": 3}},
                ValueError,
                r"initial\['tokens'\]=3 is not in grid\['tokens'\]; allowed: 1, 2, 4",
            ),
        ],
    )
    def test_bad_arguments_name_the_argument(self, kwargs, error, message):
        arguments = {"func": lambda tokens: str(tokens), "title": "Demo", **kwargs}
        func = arguments.pop("func")
        with pytest.raises(error, match=message):
            explore(func, {"tokens": [1, 2, 4]}, **arguments)

    def test_func_raising_names_the_grid_point(self):
        def kv(tokens, dtype):
            return f"{tokens // (0 if dtype == 'int8' else 1)}"

        with pytest.raises(
            RuntimeError,
            match=r"func raised at grid point \(tokens=1, dtype='int8'\): ZeroDivisionError",
        ) as info:
            explore(kv, {"tokens": [1, 2], "dtype": ["fp16", "int8"]}, title="t")
        assert isinstance(info.value.__cause__, ZeroDivisionError)

    @pytest.mark.parametrize(
        ("output", "result", "message"),
        [
            ("text", 3, r"func must return a str for output='text', got int at grid point \(a=1\)"),
            ("html", None, r"func must return a str for output='html', got NoneType"),
            ("svg", "<svg/>", r"func must return a matplotlib Figure for output='svg', got str"),
        ],
    )
    def test_func_returning_the_wrong_kind(self, output, result, message):
        with pytest.raises(TypeError, match=message):
            precompute(lambda a: result, {"a": [1]}, output=output)

    def test_too_large_html_is_refused(self):
        def big(a, b):
            return f"{a}-{b}-" + "x" * 4000

        assert 400 * 4000 > MAX_HTML_BYTES
        with pytest.raises(ValueError, match=r"static HTML of 'Big' would be 1,6\d\d,\d{3} bytes"):
            explore(big, {"a": range(20), "b": range(20)}, title="Big")

    def test_figure_to_svg_refuses_non_figures(self):
        with pytest.raises(TypeError, match="fig must be a matplotlib.figure.Figure"):
            figure_to_svg("not a figure")


class TestPrecompute:
    def test_known_values_and_order(self):
        states = precompute(kv_text, KV_GRID)
        assert list(states) == grid_points(KV_GRID)
        # 2 * 32 layers * 4096 tokens * batch 1 * 4096 * 2 bytes = 2 GiB.
        assert states[(4096, 1, "fp16")] == report("2.00 GiB")
        assert states[(16384, 64, "fp32")] == report("1024.00 GiB")
        assert states[(1024, 1, "int8")] == report("0.25 GiB")

    def test_text_is_escaped(self):
        states = precompute(lambda a: "<script>alert(1)</script> & 'x'", {"a": [1]})
        assert states[(1,)] == report("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x27;x&#x27;")

    def test_html_is_kept_as_given(self):
        states = precompute(
            lambda heads: f"<table><tr><td>{heads}</td></tr></table>", {"heads": [8]}, output="html"
        )
        assert states == {(8,): "<table><tr><td>8</td></tr></table>"}

    def test_func_receives_keywords(self):
        calls = []
        precompute(lambda **params: calls.append(params) or "", {"x": [1, 2], "y": ["a"]})
        assert calls == [{"x": 1, "y": "a"}, {"x": 2, "y": "a"}]


class TestStaticHtml:
    def test_known_description(self):
        ex = explore(kv_text, KV_GRID, title="KV cache vs context")
        assert (
            ex.description == "Explorable: KV cache vs context (3 controls, 60 precomputed states)"
        )
        assert repr(ex) == ex.description
        one = explore(lambda a: "", {"a": [1]}, title="One")
        assert one.description == "Explorable: One (1 control, 1 precomputed state)"

    def test_two_calls_are_byte_identical(self):
        first = explore(kv_text, KV_GRID, title="KV", labels={"tokens": "Context"})
        second = explore(kv_text, KV_GRID, title="KV", labels={"tokens": "Context"})
        assert first.html == second.html
        assert first._repr_mimebundle_()["text/html"] == second._repr_mimebundle_()["text/html"]

    def test_id_depends_on_title_grid_and_outputs(self):
        ids = {
            re.search(r'id="(llmh-explore-[0-9a-f]{12})"', ex.html).group(1)
            for ex in [
                explore(kv_text, KV_GRID, title="KV"),
                explore(kv_text, KV_GRID, title="KV 2"),
                explore(kv_text, {**KV_GRID, "batch": [1, 8]}, title="KV"),
                explore(lambda **p: "same", KV_GRID, title="KV"),
            ]
        }
        assert len(ids) == 4

    def test_no_timestamp_or_random_or_external_resource(self):
        page = explore(kv_text, KV_GRID, title="KV").html
        assert "http" not in page
        assert "src=" not in page
        assert "eval(" not in page
        assert "Date" not in page

    def test_blob_maps_every_state_key_to_its_output(self):
        ex = explore(kv_text, KV_GRID, title="KV")
        data = blob_of(ex.html)
        assert [p["name"] for p in data["params"]] == ["tokens", "batch", "dtype"]
        assert data["params"][2]["labels"] == ["fp16", "int8", "fp32"]
        states = precompute(kv_text, KV_GRID)
        assert len(data["index"]) == 60
        for indices in itertools.product(range(5), range(4), range(3)):
            point = tuple(KV_GRID[name][i] for name, i in zip(KV_GRID, indices, strict=True))
            key = ",".join(map(str, indices))
            assert data["outputs"][data["index"][key]] == states[point]

    def test_equal_outputs_are_stored_once(self):
        ex = explore(
            lambda tokens, batch: f"{tokens * batch}",
            {"tokens": [1, 2, 4], "batch": [1, 2, 4]},
            title="t",
        )
        data = blob_of(ex.html)
        assert len(data["index"]) == 9
        assert sorted(data["outputs"]) == sorted(report(f"{v}") for v in [1, 2, 4, 8, 16])

    def test_escaping_of_outputs_title_labels_and_values(self):
        ex = explore(
            lambda who: f"<script>alert('{who}')</script>",
            {"who": ["<b>x</b>", "y"]},
            title="<i>Title</i>",
            labels={"who": "<u>Who</u>"},
        )
        page = ex.html
        assert "&lt;script&gt;alert(&#x27;&lt;b&gt;x&lt;/b&gt;&#x27;)&lt;/script&gt;" in page
        assert "&lt;i&gt;Title&lt;/i&gt;" in page and "<i>Title</i>" not in page
        assert "&lt;u&gt;Who&lt;/u&gt;" in page and "<u>Who</u>" not in page
        assert '<option value="0" selected>&lt;b&gt;x&lt;/b&gt;</option>' in page
        assert page.count("<script") == 2 and page.count("</script>") == 2

    def test_trusted_html_cannot_close_the_json_script_early(self):
        ex = explore(
            lambda a: f"<p>{a}</p><script>x()</script><!-- c -->",
            {"a": [1, 2]},
            title="t",
            output="html",
        )
        # Once in the visible initial state (trusted HTML), and the two closing tags.
        assert ex.html.count("</script>") == 3
        blob = re.search(r'data-role="states">(.*?)</script>', ex.html).group(1)
        assert "</" not in blob and "<!" not in blob
        assert blob_of(ex.html)["outputs"][1] == "<p>2</p><script>x()</script><!-- c -->"

    def test_initial_state_is_in_the_page_without_javascript(self):
        ex = explore(kv_text, KV_GRID, title="KV", initial={"tokens": 4096, "dtype": "int8"})
        assert ex.initial == (2, 0, 1)
        output = re.search(
            r'data-role="output" data-kind="text" aria-live="polite">(.*?</div>)</div>', ex.html
        )
        assert output.group(1) == report("1.00 GiB")
        assert 'data-state="2,0,1"' in ex.html

    def test_default_initial_is_the_first_value(self):
        ex = explore(kv_text, KV_GRID, title="KV")
        assert ex.initial == (0, 0, 0)
        assert 'data-state="0,0,0"' in ex.html

    def test_initial_accepts_an_equal_number_of_another_type(self):
        ex = explore(lambda p: str(p), {"p": [0.5, 1.0]}, title="t", initial={"p": 1})
        assert ex.initial == (1,)
        with pytest.raises(ValueError, match=r"initial\['flag'\]=1 is not in grid\['flag'\]"):
            explore(lambda flag: str(flag), {"flag": [False, True]}, title="t", initial={"flag": 1})

    def test_controls_and_accessibility(self):
        ex = explore(
            kv_text,
            KV_GRID,
            title="KV",
            labels={"tokens": "Context (tokens)"},
            initial={"tokens": 2048},
        )
        page = ex.html
        uid = re.search(r'data-explorable="([^"]+)"', page).group(1)
        assert [p.control for p in ex.parameters] == ["range", "range", "select"]
        for k, param in enumerate(["tokens", "batch", "dtype"]):
            assert f'<label for="{uid}-c{k}">' in page
            assert f'id="{uid}-c{k}" data-param="{param}"' in page
        assert (
            f'<input type="range" id="{uid}-c0" data-param="tokens" min="0" max="4" step="1" '
            f'value="1" list="{uid}-t0" aria-valuetext="2048" disabled>'
        ) in page
        assert '<output data-value-of="tokens"' in page
        assert f'<datalist id="{uid}-t0"><option value="0" label="1024"></option>' in page
        assert '<label for="' + uid + '-c0">Context (tokens)</label>' in page
        assert 'aria-live="polite"' in page
        assert f'role="group" aria-labelledby="{uid}-title"' in page
        assert page.count(" disabled>") == 3

    @pytest.mark.parametrize(
        ("values", "control"),
        [
            ([1, 2, 4], "range"),
            ([0.1, 0.5, 1.0], "range"),
            ([4, 2, 1], "select"),
            ([True, False], "select"),
            (["fp16", "int8"], "select"),
            ([7], "select"),
        ],
    )
    def test_control_kind(self, values, control):
        ex = explore(lambda v: str(v), {"v": values}, title="t")
        assert ex.parameters[0].control == control
        assert ex.parameters[0].value_labels == tuple(str(v) for v in values)

    def test_script_is_namespaced_and_safe(self):
        page = explore(kv_text, KV_GRID, title="KV").html
        script = page[page.rindex("<script>") :]
        assert "window, document" in script
        assert "w.llmhistoryExplore = w.llmhistoryExplore || {}" in script
        assert "d.currentScript" in script and "initAll" in script
        assert "eval" not in script and "Function(" not in script
        assert "innerHTML = data.outputs[j]" in script

    def test_two_explorables_on_one_page_have_distinct_ids(self):
        a = explore(kv_text, KV_GRID, title="A").html
        b = explore(kv_text, KV_GRID, title="B").html
        ids_a = set(re.findall(r' id="([^"]+)"', a))
        ids_b = set(re.findall(r' id="([^"]+)"', b))
        assert ids_a and not ids_a & ids_b

    def test_dark_mode_css_inherits_colours(self):
        page = explore(kv_text, KV_GRID, title="KV").html
        assert "color:inherit" in page and "background:transparent" in page
        assert 'html[data-theme="dark"] .llmh-explore{color-scheme:dark}' in page
        assert "#000" not in page.split("</style>")[0]

    @settings(max_examples=25)
    @given(
        st.dictionaries(
            st.sampled_from(["a", "b", "c"]),
            st.lists(st.integers(-50, 50), min_size=1, max_size=4, unique=True),
            min_size=1,
        )
    )
    def test_blob_round_trips_precompute(self, grid):
        def func(**params):
            return " ".join(f"{k}<{v}>" for k, v in params.items())

        ex = explore(func, grid, title="prop")
        data = blob_of(ex.html)
        states = precompute(func, grid)
        sizes = [len(v) for v in grid.values()]
        for indices, point in zip(
            itertools.product(*map(range, sizes)), grid_points(grid), strict=True
        ):
            assert data["outputs"][data["index"][",".join(map(str, indices))]] == states[point]
        assert ex.states == tuple(states.values())


class TestBundle:
    def test_bundle_has_all_three_mime_types(self):
        ex = explore(kv_text, KV_GRID, title="KV cache vs context")
        bundle = ex._repr_mimebundle_()
        assert set(bundle) == {
            "application/vnd.jupyter.widget-view+json",
            "text/html",
            "text/plain",
        }
        view = bundle["application/vnd.jupyter.widget-view+json"]
        assert view["version_major"] == 2 and isinstance(view["model_id"], str)
        assert bundle["text/html"] == ex.html
        assert (
            bundle["text/plain"]
            == "Explorable: KV cache vs context (3 controls, 60 precomputed states)"
        )

    def test_ipython_formatter_uses_the_bundle(self):
        from IPython.core.formatters import DisplayFormatter

        data, _ = DisplayFormatter().format(explore(kv_text, KV_GRID, title="KV"))
        assert "application/vnd.jupyter.widget-view+json" in data
        assert data["text/plain"].startswith("Explorable: KV")

    def test_the_book_prefers_the_static_html(self):
        # the module docstring says so: book/_config.yml ranks text/html above the widget view
        config = (Path(__file__).resolve().parents[1] / "book" / "_config.yml").read_text()
        assert '["html", "application/vnd.jupyter.widget-view+json", 90]' in config
        assert '["html", "text/html", 10]' in config


class TestLive:
    def test_controls_start_at_the_initial_point(self):
        ex = explore(
            kv_text, KV_GRID, title="KV", labels={"tokens": "Context"}, initial={"batch": 8}
        )
        view = ex.live()
        assert isinstance(view.controls["tokens"], ipywidgets.SelectionSlider)
        assert isinstance(view.controls["dtype"], ipywidgets.Dropdown)
        assert view.controls["tokens"].description == "Context"
        assert view.controls["batch"].value == 8
        assert view.output.value == report("4.00 GiB")  # 1024 tokens, batch 8, fp16
        assert view.box.children[-1] is view.output
        assert "application/vnd.jupyter.widget-view+json" in view._repr_mimebundle_()

    def test_callback_recomputes_the_output(self):
        calls = []

        def kv(tokens, batch, dtype):
            calls.append((tokens, batch, dtype))
            return kv_text(tokens, batch, dtype)

        ex = explore(kv, KV_GRID, title="KV")
        assert len(calls) == 60
        view = ex.live()
        view.controls["tokens"].value = 4096
        assert view.output.value == report("2.00 GiB")
        view.controls["dtype"].value = "fp32"
        assert view.output.value == report("4.00 GiB")
        view.controls["batch"].value = 64
        assert view.output.value == report("256.00 GiB")
        assert calls[60:] == [(4096, 1, "fp16"), (4096, 1, "fp32"), (4096, 64, "fp32")]

    def test_callback_error_is_shown_escaped(self):
        broken = {"now": False}

        def fragile(a):
            if broken["now"]:
                raise ValueError("<bad>")
            return f"a={a}"

        view = explore(fragile, {"a": [1, 2]}, title="t").live()
        broken["now"] = True
        view.controls["a"].value = 2
        assert view.output.value == (
            "<pre>func raised at grid point (a=2): ValueError: &lt;bad&gt;</pre>"
        )

    def test_live_svg_updates(self):
        view = explore(
            line_figure, {"tokens": [10, 100], "log": [False, True]}, title="f", output="svg"
        ).live()
        before = view.output.value
        view.controls["tokens"].value = 100
        assert view.output.value.startswith("<svg") and view.output.value != before
        assert "tokens=100" in view.output.value

    def test_each_live_view_is_a_new_widget(self):
        ex = explore(lambda a: str(a), {"a": [1, 2]}, title="t")
        assert ex.live().box.model_id != ex.live().box.model_id


class TestSvg:
    def test_svg_is_inline_deterministic_and_dateless(self):
        first = figure_to_svg(line_figure(100, False))
        second = figure_to_svg(line_figure(100, False))
        assert first == second
        assert first.startswith("<svg") and first.endswith("</svg>")
        assert "<?xml" not in first and "DOCTYPE" not in first
        assert "Date" not in first and "dc:date" not in first
        assert "<style" not in first
        assert 'style="stroke-linejoin:round;stroke-linecap:butt"' in first
        # the book's SVG settings; an explorable's many states keep their text as <text>
        # (half the bytes of glyph outlines), which the explorable's CSS sets in sans-serif
        assert all(BOOK_RC[key] == value for key, value in SVG_RC.items() if key.startswith("svg."))
        assert SVG_RC["svg.fonttype"] == "path"
        assert "<text" in first and ">tokens=100</text>" in first
        assert re.search(r'data-min-font-pt="(9|1[0-9])"', first)  # never below MIN_FONT_PT

    def test_only_referenced_ids_are_kept(self):
        svg = figure_to_svg(line_figure(10, False))
        ids = re.findall(r' id="([^"]+)"', svg)
        assert "figure_1" not in ids
        assert ids and all(f"#{i}" in svg for i in ids)

    def test_pyplot_figure_is_closed(self):
        import matplotlib.pyplot as plt

        plt.close("all")
        fig, ax = plt.subplots()
        ax.plot([1, 2])
        assert plt.get_fignums() == [fig.number]
        figure_to_svg(fig)
        assert plt.get_fignums() == []

    def test_explore_svg_output(self):
        # 2 x 2 points, each rendered twice: every figure costs 0.2-0.5 s (log axes the most)
        grid = {"tokens": [10, 1000], "log": [False, True]}
        ex = explore(line_figure, grid, title="Fig", output="svg")
        again = explore(line_figure, grid, title="Fig", output="svg")
        assert ex.html == again.html
        assert '<div class="llmh-explore-output" data-role="output" data-kind="svg"' in ex.html
        data = blob_of(ex.html)
        assert len(data["outputs"]) == 4
        assert len(set(data["outputs"])) == 4
        assert all(o.startswith("<svg") for o in data["outputs"])
        assert "Date" not in ex.html
        assert isinstance(ex, Explorable)


def test_svg_outputs_have_an_accessible_name():
    """Screen readers name each precomputed figure by its titles and grid point."""
    from matplotlib.figure import Figure

    def plot(k):
        fig = Figure(figsize=(2, 1))
        ax = fig.subplots()
        ax.plot([0, k])
        ax.set_title(f"Load <{k}>")
        return fig

    states = precompute(plot, {"k": [1, 2]}, output="svg")
    assert 'role="img" aria-label="Load &lt;1&gt; (k=1)"' in states[(1,)]
    assert 'aria-label="Load &lt;2&gt; (k=2)"' in states[(2,)]


def test_svg_name_uses_the_suptitle_once():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    fig.suptitle("Cache size")
    fig.subplots().set_title("Cache size")
    assert 'aria-label="Cache size"' in figure_to_svg(fig)


class TestReportHtml:
    """Text outputs of explorables are shown as tables and paragraphs (html.report_html)."""

    def test_format_table_output_becomes_a_table_with_a_header(self):
        text = format_table(
            [("tokens_per_parameter", 0.9, 18.0), ("parametric", 0.6, 26.0)],
            ["method", "N", "D"],
            formats={"N": "{:.1f}B", "D": "{:.0f}B"},
        )
        out = report_html(text)
        assert out.count("<table>") == 1 and "<pre" not in out
        assert re.findall(r'<th scope="col">([^<]*)</th>', out) == ["method", "N", "D"]
        assert re.findall(r'<th scope="row">([^<]*)</th>', out) == [
            "tokens_per_parameter",
            "parametric",
        ]
        assert re.findall(r'<td class="num">([^<]*)</td>', out) == ["0.9B", "18B", "0.6B", "26B"]

    def test_label_value_lines_and_prose_lines(self):
        text = (
            "policy: top-k off\n"
            "latency        : 0.5 s + 1,150 / 100 tok/s = 12.0 s\n"
            "cost / request : $0.00580\n"
            "kept 2 of 8 notes"
        )
        out = report_html(text)
        assert re.findall(r"<p>([^<]*)</p>", out) == ["policy: top-k off", "kept 2 of 8 notes"]
        assert re.findall(r'<th scope="row">([^<]*)</th>', out) == ["latency", "cost / request"]
        assert '<td class="num">$0.00580</td>' in out

    def test_a_column_of_marks_is_drawn_as_a_bar(self):
        out = report_html("' I'    0.490  ##########\n' a'    0.006")
        assert 'class="bar" style="width:4em"' in out and "##" not in out
        assert out.count("<tr>") == 2  # the short row gets an empty cell

    def test_markup_is_escaped_and_empty_text_gives_an_empty_report(self):
        out = report_html("<script>alert(1)</script>  1")
        assert "<script>" not in out and "&lt;script&gt;" in out
        assert report_html("") == '<div class="llmh-report"></div>'

    def test_bad_input(self):
        with pytest.raises(TypeError, match="text"):
            report_html(3)

    @given(
        st.lists(
            st.text(alphabet=string.ascii_letters + string.digits + ":=.,#<>&' -", max_size=40),
            max_size=6,
        )
    )
    def test_no_word_is_lost(self, lines):
        text = "\n".join(lines)
        shown = html.unescape(re.sub(r"<[^>]+>", " ", report_html(text)))
        for word in text.split():  # only separators (" : ", " = ") and bars of "#" go
            if set(word) - {"#"} and word not in (":", "="):
                assert word in shown
