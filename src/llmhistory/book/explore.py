"""Explorables: one interactive figure that works in a live kernel *and* on the static book page.

A slider made with ipywidgets is dead on a static Jupyter Book page: the control is drawn but
no Python runs behind it (Jupyter Book issue 1991). :func:`explore` solves this for the book's
own widgets. From a pure function and a small grid of parameter values it precomputes every
grid point's output and returns an :class:`Explorable` whose display bundle holds both

* ``application/vnd.jupyter.widget-view+json``: live ipywidgets controls whose callback calls
  the function again (JupyterLab, Notebook, VS Code, Colab prefer this mime type);
* ``text/html``: a self-contained page fragment with native HTML controls, every output
  precomputed in an embedded JSON blob and a small inline script that swaps them; nothing is
  loaded from a CDN or an external file (the book's HTML build prefers this mime type);
* ``text/plain``: ``"Explorable: <title> (N controls, M precomputed states)"``.

The HTML is deterministic: two calls with the same arguments give byte-identical text (the
element id is a hash of the title, grid and outputs; SVG figures are rendered with a fixed
hash salt and no date), so nbval can compare it.

DOM contract of the static version (for browser tests and styling)
------------------------------------------------------------------
::

    div.llmh-explore#<uid>[data-explorable=<uid>][data-state="i,j,..."]   root
      div.llmh-explore-title#<uid>-title                                 escaped title
      div.llmh-explore-controls[role=group]                              one control per param
        div.llmh-explore-control
          label[for=<uid>-c<k>]                                          escaped label
          input[type=range]#<uid>-c<k>[data-param=<name>]                numeric grids: the
              [min=0][max=n-1][step=1][value=<index>][aria-valuetext]    value is an INDEX
              [list=<uid>-t<k>]  + datalist#<uid>-t<k> > option[value=index][label]
          output[data-value-of=<name>][aria-hidden=true]                 shown value (range)
        or
          select#<uid>-c<k>[data-param=<name>] > option[value=index]     other grids
      div.llmh-explore-output[data-role=output][aria-live=polite]        the shown output;
          [data-kind=text|html|svg]                                      holds the initial
                                                                         state without JS
      script[type="application/json"][data-role=states]                  the precomputed data
      script                                                             the inline controller

* Every control's ``value`` is the *index* of the chosen value in its grid list. The state key
  is the controls' indices joined by ``","`` in grid order (``"2,0,1"``); it is mirrored in the
  root's ``data-state`` attribute after every change.
* The JSON blob is ``{"params": [{"name": ..., "labels": [...]}, ...], "index": {key: j},
  "outputs": [html, ...]}``; ``outputs`` holds each distinct output once and ``index`` maps
  every state key to its position there.
* Controls are rendered ``disabled``; the script enables them and sets ``data-ready="true"`` on
  the root. Without JavaScript the reader sees the initial state and greyed-out controls.
* The script defines one global, ``window.llmhistoryExplore`` with ``init(root)`` and
  ``initAll()``, initialises its own root (``document.currentScript``), listens to ``input`` and
  ``change`` events, and never uses ``eval``. Several explorables on one page are independent.

* To drive it (browser tests): set a control's ``value`` to an index string and dispatch an
  ``input`` event (range) or a ``change`` event (select); then read ``[data-role=output]`` and
  the root's ``data-state``. A range's ``aria-valuetext`` and its ``<output>`` show the value's
  label; the ``<output>`` is ``aria-hidden`` so screen readers hear the value only once.

The book's HTML build prefers the static version: ``book/_config.yml`` ranks ``text/html``
above the widget view for the ``html`` builder (``nb_mime_priority_overrides``), while a live
Jupyter front end still shows the widgets. A notebook stored with widget state
(``metadata.widgets``) also makes myst-nb load require.js and the ipywidgets HTML manager from
a CDN; ``nb_ipywidgets_js: {}`` in the same ``config`` block, or executing without
``store_widget_state``, keeps the page free of external requests.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import numbers
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from llmhistory._validate import check_callable, check_choice, check_float, check_str
from llmhistory.book.html import REPORT_CSS, escape, plural, report_html

#: The largest grid (number of parameter combinations) :func:`explore` accepts.
MAX_POINTS = 400
#: The largest static HTML (bytes, UTF-8) :func:`explore` accepts for one explorable.
MAX_HTML_BYTES = 1_500_000
#: The output kinds: a plain-text report (shown as HTML tables and paragraphs by
#: :func:`llmhistory.book.html.report_html`), a trusted HTML fragment, or a matplotlib figure.
OUTPUTS = ("text", "html", "svg")

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

_CSS = (
    ".llmh-explore{border:1px solid rgba(128,128,128,.45);border-radius:.4em;"
    "padding:.6em .8em;margin:.8em 0;color:inherit;background:transparent}"
    'html[data-theme="dark"] .llmh-explore{color-scheme:dark}'
    # pydata-sphinx-theme puts every HTML output on a light card in dark mode; this one
    # inherits the page's colours instead, so it opts out of that card.
    'html[data-theme="dark"] .bd-content div.cell_output div.output.text_html:has(>.llmh-explore)'
    "{background-color:transparent;color:inherit;padding:0}"
    ".llmh-explore-title{font-weight:600;margin:0 0 .4em}"
    ".llmh-explore-controls{display:flex;flex-wrap:wrap;gap:.4em 1.4em;margin:0 0 .6em}"
    ".llmh-explore-control{display:flex;align-items:center;gap:.5em}"
    ".llmh-explore-control input,.llmh-explore-control select{font:inherit;color:inherit}"
    ".llmh-explore-control output{min-width:4ch;font-variant-numeric:tabular-nums}"
    ".llmh-explore-output{overflow-x:auto}"
    ".llmh-explore-output pre{margin:0;padding:0;border:0;background:transparent;"
    "color:inherit;white-space:pre-wrap}"
    ".llmh-explore-output svg{max-width:100%;height:auto;background:#fff;border-radius:.25em}"
    # Text of the inline figures is <text> (figure_svg(text_as_paths=False)): a sans-serif face
    # where matplotlib's DejaVu Sans is not installed.
    ".llmh-explore-output svg text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif!important}"
    + REPORT_CSS
)

_JS = """(function (w, d) {
  "use strict";
  var ns = w.llmhistoryExplore = w.llmhistoryExplore || {};
  if (!ns.init) {
    ns.init = function (root) {
      if (!root || root.getAttribute("data-ready") === "true") { return; }
      var blob = root.querySelector('script[data-role="states"]');
      var out = root.querySelector('[data-role="output"]');
      if (!blob || !out) { return; }
      var data = JSON.parse(blob.textContent), controls = [], i;
      for (i = 0; i < data.params.length; i++) {
        controls.push(root.querySelector('[data-param="' + data.params[i].name + '"]'));
      }
      function update() {
        var key = [], k, c, text, shown, j;
        for (k = 0; k < controls.length; k++) {
          c = controls[k];
          text = data.params[k].labels[+c.value];
          key.push(c.value);
          if (c.type === "range") {
            c.setAttribute("aria-valuetext", text);
            shown = root.querySelector('[data-value-of="' + data.params[k].name + '"]');
            if (shown) { shown.textContent = text; }
          }
        }
        key = key.join(",");
        j = data.index[key];
        if (j !== undefined && root.getAttribute("data-state") !== key) {
          out.innerHTML = data.outputs[j];
          root.setAttribute("data-state", key);
        }
      }
      for (i = 0; i < controls.length; i++) {
        controls[i].disabled = false;
        controls[i].addEventListener("input", update);
        controls[i].addEventListener("change", update);
      }
      root.setAttribute("data-ready", "true");
      update();
    };
    ns.initAll = function () {
      var roots = d.querySelectorAll("[data-explorable]");
      for (var i = 0; i < roots.length; i++) { ns.init(roots[i]); }
    };
  }
  var s = d.currentScript, root = s && s.closest ? s.closest("[data-explorable]") : null;
  if (root) { ns.init(root); } else { ns.initAll(); }
})(window, document);"""


@dataclass(frozen=True)
class Parameter:
    """One control of an explorable: a grid parameter, its values and how it is shown.

    ``control`` is ``"range"`` for two or more increasing numbers, else ``"select"``.
    """

    name: str
    label: str
    values: tuple[Any, ...]
    value_labels: tuple[str, ...]
    control: str


@dataclass(frozen=True)
class LiveView:
    """The live ipywidgets version: ``box`` holds the title, ``controls`` and ``output``.

    ``controls`` maps each parameter name to its SelectionSlider or Dropdown; ``output`` is the
    ``ipywidgets.HTML`` whose ``value`` the callback replaces when a control changes.
    """

    box: Any
    controls: Mapping[str, Any]
    output: Any

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.box._repr_mimebundle_()


@dataclass(frozen=True, repr=False)
class Explorable:
    """A precomputed interactive output; display it to get live and static controls.

    Build it with :func:`explore`. ``states`` holds the rendered HTML fragment of every grid
    point in :func:`grid_points` order; ``initial`` the indices of the starting values;
    ``html`` the static version. ``live()`` builds a fresh ipywidgets view.
    """

    title: str
    func: Callable[..., Any] = field(compare=False)
    output: str
    parameters: tuple[Parameter, ...]
    initial: tuple[int, ...]
    states: tuple[str, ...]
    html: str

    @property
    def description(self) -> str:
        """Return the one-line ``text/plain`` description (deterministic)."""
        controls = len(self.parameters)
        states = len(self.states)
        return (
            f"Explorable: {self.title} ({plural(controls, 'control')}, "
            f"{plural(states, 'precomputed state')})"
        )

    def __repr__(self) -> str:
        return self.description

    def live(self) -> LiveView:
        """Return a new live ipywidgets view whose callback calls ``func`` on every change."""
        import ipywidgets as widgets

        controls = {}
        for param, start in zip(self.parameters, self.initial, strict=True):
            options = list(zip(param.value_labels, param.values, strict=True))
            kind = widgets.SelectionSlider if param.control == "range" else widgets.Dropdown
            controls[param.name] = kind(
                options=options,
                value=param.values[start],
                description=param.label,
                style={"description_width": "initial"},
            )
        output = widgets.HTML(value=self.states[_flat_index(self.parameters, self.initial)])

        def update(_change: object = None) -> None:
            params = {name: control.value for name, control in controls.items()}
            try:
                output.value = _render(self.func(**params), self.output, params)
            except Exception as error:  # shown to the reader instead of vanishing in a log
                output.value = f"<pre>{escape(_describe_failure(params, error))}</pre>"

        for control in controls.values():
            control.observe(update, names="value")
        title = widgets.HTML(value=f"<strong>{escape(self.title)}</strong>")
        box = widgets.VBox([title, widgets.HBox(list(controls.values())), output])
        return LiveView(box=box, controls=controls, output=output)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        bundle = self.live().box._repr_mimebundle_()
        return {
            WIDGET_MIME: bundle[WIDGET_MIME],
            "text/html": self.html,
            "text/plain": self.description,
        }


def _check_value(name: str, position: int, value: object) -> int | float | str | bool:
    """Return a grid value as a plain Python int, float, str or bool."""
    where = f"grid[{name!r}][{position}]"
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return check_float(where, value)
    if isinstance(value, str):
        return value
    raise TypeError(
        f"{where} must be an int, float, str or bool, got {type(value).__name__} {value!r}"
    )


def _check_grid(grid: object) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    """Return the grid as ``((name, values), ...)`` after checking it and its size."""
    if not isinstance(grid, Mapping):
        raise TypeError(
            f"grid must be a dict {{parameter name: list of values}}, got {type(grid).__name__}"
        )
    if not grid:
        raise ValueError("grid must have at least one parameter, got an empty dict")
    checked = []
    for name, values in grid.items():
        check_str("grid parameter name", name)
        if not name.isidentifier():
            raise ValueError(f"grid parameter name {name!r} must be a Python identifier")
        if isinstance(values, np.ndarray):
            values = values.tolist()
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
            raise TypeError(
                f"grid[{name!r}] must be a list, tuple or range of values, "
                f"got {type(values).__name__}"
            )
        if len(values) == 0:
            raise ValueError(f"grid[{name!r}] must hold at least one value, got none")
        values = tuple(_check_value(name, i, v) for i, v in enumerate(values))
        if len(set(values)) != len(values):
            raise ValueError(f"grid[{name!r}] must not repeat a value, got {list(values)}")
        checked.append((name, values))
    points = math.prod(len(values) for _, values in checked)
    if points > MAX_POINTS:
        sizes = " x ".join(str(len(values)) for _, values in checked)
        shape = ", ".join(f"{name}={len(values)}" for name, values in checked)
        raise ValueError(
            f"grid has {sizes} = {points} points ({shape}); at most {MAX_POINTS} are allowed: "
            "use fewer values per parameter"
        )
    return tuple(checked)


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Return every combination of the grid's values, in the grid's order (last varies fastest).

    Parameters
    ----------
    grid : dict of str to sequence
        ``{parameter name: values}``; values are int, float, str or bool, at most
        ``MAX_POINTS`` combinations in all.

    Returns
    -------
    list of tuple
        ``itertools.product`` of the value lists, one tuple per point.

    Raises
    ------
    TypeError, ValueError
        If the grid is not a dict of non-empty value lists, or is too large.

    >>> grid_points({"tokens": [1, 2], "dtype": ["fp16", "int8"]})
    [(1, 'fp16'), (1, 'int8'), (2, 'fp16'), (2, 'int8')]
    """
    checked = _check_grid(grid)
    return list(itertools.product(*(values for _, values in checked)))


def _figure_label(fig: Any) -> str:
    """Return a short accessible name for ``fig``: its suptitle and axes titles, or "Figure"."""
    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(suptitle.get_text().strip())
    parts += [ax.get_title().strip() for ax in fig.get_axes() if ax.get_title().strip()]
    return "; ".join(dict.fromkeys(parts)) or "Figure"


def figure_to_svg(fig: Any, label: str | None = None) -> str:
    """Return a matplotlib Figure as a compact, deterministic inline ``<svg>`` and close it.

    The SVG is :func:`llmhistory.concepts.figures.figure_svg` (no date, fixed internal ids, text
    at least ``MIN_FONT_PT``, ``data-min-font-pt`` on the root) with its text as ``<text>``
    elements (half the bytes of glyph outlines; the explorable's CSS gives them a sans-serif
    face), without its XML prolog and with the ids nothing refers to dropped.
    It carries ``role="img"`` and an ``aria-label`` so screen readers name it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure; it is closed afterwards (also in pyplot) so it does not show twice.
    label : str, optional
        The accessible name; default: the figure's suptitle and axes titles.

    Returns
    -------
    str
        The ``<svg ...>...</svg>`` element.

    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.subplots().plot([0, 1], [1, 0])
    >>> svg = figure_to_svg(fig)
    >>> svg.startswith("<svg"), svg.endswith("</svg>"), "Date" in svg
    (True, True, False)
    >>> 'role="img" aria-label="Figure"' in svg
    True
    """
    from matplotlib.figure import Figure

    from llmhistory.concepts.figures import figure_svg

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib.figure.Figure, got {type(fig).__name__}")
    name = escape(_figure_label(fig) if label is None else label)
    try:
        document = figure_svg(fig, text_as_paths=False)  # half the bytes per state
    finally:
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    svg = _compact_svg(document)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)


def _compact_svg(text: str) -> str:
    """Return matplotlib's SVG without prolog, stray whitespace, global style or unused ids."""
    text = text[text.index("<svg") :].strip()
    text = re.sub(r">\s+<", "><", text)
    text = re.sub(r"\s*\n\s*", " ", text)
    # matplotlib's <style>*{...}</style> would leak into the whole HTML page: move it to the root.
    text = re.sub(r"<defs><style[^>]*>[^<]*</style></defs>", "", text, count=1)
    text = text.replace("<svg ", '<svg style="stroke-linejoin:round;stroke-linecap:butt" ', 1)
    referenced = set(re.findall(r"#([\w.-]+)", text))
    return re.sub(r' id="([^"]*)"', lambda m: m.group(0) if m.group(1) in referenced else "", text)


def _describe_failure(params: Mapping[str, Any], error: BaseException) -> str:
    point = ", ".join(f"{name}={value!r}" for name, value in params.items())
    return f"func raised at grid point ({point}): {type(error).__name__}: {error}"


def _render(result: object, output: str, params: Mapping[str, Any]) -> str:
    """Return the HTML fragment that shows one result of ``func``."""
    point = ", ".join(f"{name}={value!r}" for name, value in params.items())
    if output == "svg":
        from matplotlib.figure import Figure

        if not isinstance(result, Figure):
            raise TypeError(
                f"func must return a matplotlib Figure for output='svg', got "
                f"{type(result).__name__} at grid point ({point})"
            )
        return figure_to_svg(result, label=f"{_figure_label(result)} ({point})")
    if not isinstance(result, str):
        raise TypeError(
            f"func must return a str for output={output!r}, got {type(result).__name__} "
            f"at grid point ({point})"
        )
    if output == "text":
        return report_html(result)
    return result


def _precompute(
    func: Callable[..., Any], checked: tuple[tuple[str, tuple[Any, ...]], ...], output: str
) -> dict[tuple[Any, ...], str]:
    names = [name for name, _ in checked]
    states = {}
    for point in itertools.product(*(values for _, values in checked)):
        params = dict(zip(names, point, strict=True))
        try:
            result = func(**params)
        except Exception as error:
            raise RuntimeError(_describe_failure(params, error)) from error
        states[point] = _render(result, output, params)
    return states


def _parameters(
    checked: tuple[tuple[str, tuple[Any, ...]], ...], labels: Mapping[str, str] | None
) -> tuple[Parameter, ...]:
    if labels is None:
        labels = {}
    if not isinstance(labels, Mapping):
        raise TypeError(f"labels must be a dict {{parameter name: label}} or None, got {labels!r}")
    names = [name for name, _ in checked]
    for name, label in labels.items():
        check_choice("labels key", name, names)
        check_str(f"labels[{name!r}]", label)
    parameters = []
    for name, values in checked:
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values)
        increasing = all(a < b for a, b in itertools.pairwise(values)) if numeric else False
        parameters.append(
            Parameter(
                name=name,
                label=labels.get(name, name),
                values=values,
                value_labels=tuple(str(v) for v in values),
                control="range" if len(values) > 1 and increasing else "select",
            )
        )
    return tuple(parameters)


def _initial(parameters: tuple[Parameter, ...], initial: Mapping[str, Any] | None) -> tuple:
    if initial is None:
        initial = {}
    if not isinstance(initial, Mapping):
        raise TypeError(
            f"initial must be a dict {{parameter name: value}} or None, got {initial!r}"
        )
    by_name = {p.name: p for p in parameters}
    for name in initial:
        check_choice("initial key", name, list(by_name))
    indices = []
    for param in parameters:
        if param.name not in initial:
            indices.append(0)
            continue
        value = initial[param.name]
        matches = [
            i
            for i, v in enumerate(param.values)
            if v == value and isinstance(v, bool) == isinstance(value, (bool, np.bool_))
        ]
        if not matches:
            raise ValueError(
                f"initial[{param.name!r}]={value!r} is not in grid[{param.name!r}]; "
                f"allowed: {', '.join(param.value_labels)}"
            )
        indices.append(matches[0])
    return tuple(indices)


def _flat_index(parameters: Sequence[Parameter], indices: Sequence[int]) -> int:
    """Return the position of a point (given by value indices) in grid_points order."""
    flat = 0
    for param, index in zip(parameters, indices, strict=True):
        flat = flat * len(param.values) + index
    return flat


def _json_for_script(data: object) -> str:
    """Return JSON that can sit inside ``<script>`` (no ``</`` or ``<!`` can end it early)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub(r"<(?=[/!])", r"\\u003c", text)


def _control_html(uid: str, k: int, param: Parameter, start: int) -> str:
    cid = f"{uid}-c{k}"
    name = param.name
    label = f'<label for="{cid}">{escape(param.label)}</label>'
    if param.control == "range":
        shown = escape(param.value_labels[start])
        ticks = "".join(
            f'<option value="{i}" label="{escape(text)}"></option>'
            for i, text in enumerate(param.value_labels)
        )
        return (
            f'<div class="llmh-explore-control">{label}'
            f'<input type="range" id="{cid}" data-param="{name}" min="0" '
            f'max="{len(param.values) - 1}" step="1" value="{start}" list="{uid}-t{k}" '
            f'aria-valuetext="{shown}" disabled>'
            f'<output data-value-of="{name}" for="{cid}" aria-hidden="true">{shown}</output>'
            f'<datalist id="{uid}-t{k}">{ticks}</datalist></div>'
        )
    options = "".join(
        f'<option value="{i}"{" selected" if i == start else ""}>{escape(text)}</option>'
        for i, text in enumerate(param.value_labels)
    )
    return (
        f'<div class="llmh-explore-control">{label}'
        f'<select id="{cid}" data-param="{name}" disabled>{options}</select></div>'
    )


def _static_html(
    title: str,
    output: str,
    parameters: tuple[Parameter, ...],
    initial: tuple[int, ...],
    states: tuple[str, ...],
) -> str:
    """Return the self-contained HTML version (deterministic for equal arguments)."""
    outputs: list[str] = []
    position: dict[str, int] = {}
    index = {}
    for point_indices, state in zip(
        itertools.product(*(range(len(p.values)) for p in parameters)), states, strict=True
    ):
        if state not in position:
            position[state] = len(outputs)
            outputs.append(state)
        index[",".join(map(str, point_indices))] = position[state]
    data = {
        "params": [{"name": p.name, "labels": list(p.value_labels)} for p in parameters],
        "index": index,
        "outputs": outputs,
    }
    blob = _json_for_script(data)
    digest = hashlib.sha256(
        json.dumps([title, output, [p.label for p in parameters], blob]).encode("utf-8")
    ).hexdigest()
    uid = f"llmh-explore-{digest[:12]}"
    key = ",".join(map(str, initial))
    controls = "".join(
        _control_html(uid, k, p, s)
        for k, (p, s) in enumerate(zip(parameters, initial, strict=True))
    )
    first = states[_flat_index(parameters, initial)]
    return (
        f'<div class="llmh-explore" id="{uid}" data-explorable="{uid}" data-state="{key}">'
        f"<style>{_CSS}</style>"
        f'<div class="llmh-explore-title" id="{uid}-title">{escape(title)}</div>'
        f'<div class="llmh-explore-controls" role="group" aria-labelledby="{uid}-title">'
        f"{controls}</div>"
        f'<div class="llmh-explore-output" data-role="output" data-kind="{output}" '
        f'aria-live="polite">{first}</div>'
        f'<script type="application/json" data-role="states">{blob}</script>'
        f"<script>{_JS}</script></div>"
    )


def explore(
    func: Callable[..., Any],
    grid: Mapping[str, Sequence[Any]],
    *,
    title: str,
    output: str = "text",
    labels: Mapping[str, str] | None = None,
    initial: Mapping[str, Any] | None = None,
) -> Explorable:
    """Return an :class:`Explorable`: live controls in a kernel, precomputed ones on the page.

    Parameters
    ----------
    func : callable
        A pure function called as ``func(**params)`` for every grid point.
    grid : dict of str to sequence
        ``{parameter name: values}`` in display order; values are int, float, str or bool.
        At most ``MAX_POINTS`` (400) combinations. Increasing numbers get a slider, anything
        else a drop-down list.
    title : str
        Shown above the controls and in the ``text/plain`` description.
    output : {"text", "html", "svg"}
        What ``func`` returns: a plain-text report (its aligned columns and ``label : value``
        lines shown as real HTML tables that reflow on a phone, other lines as paragraphs; see
        :func:`llmhistory.book.html.report_html`), a trusted HTML fragment made by this
        library, or a matplotlib Figure (inlined as SVG and closed).
    labels : dict of str to str, optional
        Display labels for some or all parameters (default: the parameter name).
    initial : dict of str to value, optional
        The starting value of some or all parameters (default: the first value of each).

    Returns
    -------
    Explorable
        Displaying it gives the widget view, ``text/html`` and ``text/plain``.

    Raises
    ------
    TypeError, ValueError
        Bad arguments (the message names which); the HTML would exceed ``MAX_HTML_BYTES``.
    RuntimeError
        If ``func`` raises at a grid point; the message names the point.

    >>> ex = explore(lambda tokens: f"{2 * tokens} bytes", {"tokens": [1, 2, 4]}, title="Demo")
    >>> ex
    Explorable: Demo (1 control, 3 precomputed states)
    >>> sorted(ex._repr_mimebundle_())
    ['application/vnd.jupyter.widget-view+json', 'text/html', 'text/plain']
    """
    check_callable("func", func)
    check_str("title", title)
    check_choice("output", output, OUTPUTS)
    checked = _check_grid(grid)
    parameters = _parameters(checked, labels)
    start = _initial(parameters, initial)
    states = tuple(_precompute(func, checked, output).values())
    page = _static_html(title, output, parameters, start, states)
    size = len(page.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise ValueError(
            f"the static HTML of {title!r} would be {size:,} bytes (> {MAX_HTML_BYTES:,}) for "
            f"{len(states)} grid points: use fewer grid values or smaller outputs"
        )
    return Explorable(
        title=title,
        func=func,
        output=output,
        parameters=parameters,
        initial=start,
        states=states,
        html=page,
    )


__all__ = [
    "MAX_HTML_BYTES",
    "MAX_POINTS",
    "OUTPUTS",
    "Explorable",
    "LiveView",
    "Parameter",
    "explore",
    "figure_to_svg",
    "grid_points",
]
