"""Every st.session_state key the app's sources use, and which module uses it, found by parsing the sources.

A use is an access to st.session_state (subscript, get, setdefault, pop, `in`, del) or a widget's key (a `key=`
argument, a {"key": ...} entry of widget arguments, or the key handed to a helper that draws widgets for its
caller: playground.ui.state.DELEGATES). A key is written as a template: its fixed text, with "*" for each part known
only at run time (f"train_opt_{kind}" is "train_opt_*"). A key held in a variable is followed to where its value
is set: a constant of this or another module, an assignment in the same function, or, for a function's parameter,
every call in the module that passes it (callbacks' args=(...) included).
"""

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
ACCESSORS = {"get", "setdefault", "pop", "__contains__", "__getitem__", "__setitem__", "__delitem__"}
CALLBACKS = ("on_change", "on_click", "on_select")
NOT_WIDGETS = {"sorted", "max", "min", "sort", "groupby", "cmp_to_key"}  # calls whose key= is a sort key
UNKNOWN = "*"
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
MAX_DEPTH = 16


@dataclass(frozen=True)
class Use:
    """One use of a key: the module, its line, the key's template and how it was used."""

    module: str
    line: int
    key: str  # fixed text with "*" for run-time parts; "*" alone: not known from the source
    how: str  # "state" (st.session_state), "widget" (a widget's key) or "delegated" (handed to a delegate)

    def __str__(self) -> str:
        return f"{self.module}:{self.line} {self.how} {self.key!r}"


def module_name(path: Path) -> str:
    """playground/ui/jobs.py → playground.ui.jobs."""
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def sources() -> dict[str, Path]:
    """The modules whose keys the table covers: the UI glue, the page scripts and the router."""
    paths = [*sorted((ROOT / "playground" / "ui").rglob("*.py")), *sorted((ROOT / "views").rglob("*.py"))]
    return {module_name(path): path for path in [*paths, ROOT / "app.py"]}


def _is_session_state(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "session_state"


class Module:
    """One parsed module: its string constants, what its imports name, and its functions."""

    _cache: dict[str, "Module | None"] = {}

    def __init__(self, name: str, source: str):
        self.name, self.tree = name, ast.parse(source, name)
        self.parents = {child: parent for parent in ast.walk(self.tree) for child in ast.iter_child_nodes(parent)}
        self.constants = {name: values[0] for name, values in _bindings(self.tree.body).items() if len(values) == 1}
        self.imports: dict[str, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("playground", "views")):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = alias.name
        self.functions = {node.name: node for node in ast.walk(self.tree) if isinstance(node, ast.FunctionDef)}

    @classmethod
    def named(cls, dotted: str) -> "Module | None":
        """The module of this dotted name among the repository's sources, or None."""
        if dotted not in cls._cache:
            path = ROOT / Path(*dotted.split(".")).with_suffix(".py")
            package = ROOT / Path(*dotted.split(".")) / "__init__.py"
            found = path if path.exists() else package if package.exists() else None
            cls._cache[dotted] = cls(dotted, found.read_text()) if found else None
        return cls._cache[dotted]

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        """The innermost function around a node, or None at module level."""
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    # -- resolving an expression to key templates

    def templates(self, node: ast.expr, depth: int = 0) -> set[str]:
        """Every template this expression can be, UNKNOWN for what the source does not say."""
        if depth > MAX_DEPTH:
            return {UNKNOWN}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.JoinedStr):
            parts = [self.templates(value, depth + 1) if isinstance(value, ast.Constant) else
                     self._formatted(value, depth) for value in node.values]  # fmt: skip
            return {_squash("".join(combo)) for combo in itertools.product(*parts)}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = self.templates(node.left, depth + 1), self.templates(node.right, depth + 1)
            return {_squash(a + b) for a, b in itertools.product(left, right)}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in self.imports:
            other = Module.named(self.imports[node.value.id])
            if other is not None and node.attr in other.constants:
                return other.templates(other.constants[node.attr], depth + 1)
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        return {UNKNOWN}

    def _formatted(self, value: ast.FormattedValue, depth: int) -> set[str]:
        return self.templates(value.value, depth + 1)

    def _name(self, node: ast.Name, depth: int) -> set[str]:
        scope = node
        while scope in self.parents and not isinstance(scope, ast.FunctionDef):
            scope = self.parents[scope]
            if isinstance(scope, COMPREHENSIONS) and node.id in (bound := _comprehension_bindings(scope)):
                return set().union(*(self.templates(value, depth + 1) for value in bound[node.id]))
        function = self.function_of(node)
        local = _bindings(function.body if function else self.tree.body)
        if node.id in local:  # assigned in this function (or at the top level of a page script)
            return set().union(*(self.templates(value, depth + 1) for value in local[node.id]))
        parameters = [argument.arg for argument in function.args.args] if function else []
        if node.id in parameters:
            return self._passed(function, parameters.index(node.id), node.id, depth)
        if node.id in self.constants:
            return self.templates(self.constants[node.id], depth + 1)
        if node.id in self.imports:
            dotted = self.imports[node.id]
            other = Module.named(dotted.rsplit(".", 1)[0])
            name = dotted.rsplit(".", 1)[1]
            if other is not None and name in other.constants:
                return other.templates(other.constants[name], depth + 1)
        return {UNKNOWN}

    def _passed(self, function: ast.FunctionDef, position: int, parameter: str, depth: int) -> set[str]:
        """What this module's calls of a function pass as one of its parameters (callbacks included)."""
        found: set[str] = set()
        for node in ast.walk(self.tree):
            arguments: list[ast.expr] | None = None
            keywords: dict[str, ast.expr] = {}
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == function.name:
                arguments, keywords = node.args, {k.arg: k.value for k in node.keywords if k.arg}
            elif isinstance(node, ast.Call):  # st.button(..., on_click=function, args=(...))
                named = {k.arg: k.value for k in node.keywords if k.arg}
                arguments = _callback_args(named, function.name)
            elif isinstance(node, ast.Dict):  # {"on_change": function, "args": (...), ...} spread into a widget
                named = {k.value: v for k, v in zip(node.keys, node.values, strict=True)
                         if isinstance(k, ast.Constant) and isinstance(k.value, str)}  # fmt: skip
                arguments = _callback_args(named, function.name)
            if arguments is None:
                continue
            if position < len(arguments):
                found |= self.templates(arguments[position], depth + 1)
            elif parameter in keywords:
                found |= self.templates(keywords[parameter], depth + 1)
        return found or {UNKNOWN}


def _bindings(body: list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """Every value each name is given in these statements (not inside the functions they define): assignments, and
    loops over a literal tuple or list of values."""
    found: dict[str, list[ast.expr]] = {}

    def bind(target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            found.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for part, part_value in zip(target.elts, value.elts, strict=True):
                bind(part, part_value)
        elif isinstance(target, ast.Tuple | ast.List | ast.Starred):
            for part in target.elts if isinstance(target, ast.Tuple | ast.List) else [target.value]:
                bind(part, ast.Constant(None))  # a value the source does not show

    todo = list(body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, *COMPREHENSIONS)):
            continue  # a scope of its own
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.value)
        elif isinstance(node, ast.For):
            _bind_loop(node, bind)
        todo.extend(ast.iter_child_nodes(node))
    return found


def _bind_loop(loop: ast.For | ast.comprehension, bind) -> None:
    values = loop.iter.elts if isinstance(loop.iter, ast.Tuple | ast.List) else [ast.Constant(None)]
    for value in values:
        bind(loop.target, value)


def _comprehension_bindings(node: ast.expr) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}

    def bind(target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            found.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for part, part_value in zip(target.elts, value.elts, strict=True):
                bind(part, part_value)
        elif isinstance(target, ast.Tuple):
            for part in target.elts:
                bind(part, ast.Constant(None))

    for generator in node.generators:
        _bind_loop(generator, bind)
    return found


def _callback_args(named: dict[str, ast.expr], function: str) -> list[ast.expr] | None:
    """The positional arguments a widget passes to `function` as its callback, or None when it is not one."""
    if not any(isinstance(named.get(name), ast.Name) and named[name].id == function for name in CALLBACKS):
        return None
    arguments = named.get("args")
    return list(arguments.elts) if isinstance(arguments, ast.Tuple) else []


def _squash(template: str) -> str:
    while UNKNOWN * 2 in template:
        template = template.replace(UNKNOWN * 2, UNKNOWN)
    return template


def _call_name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def uses(delegates: dict[str, dict[str, int]]) -> list[Use]:
    """Every key use in the UI glue, page scripts and router; delegates: {module: {function: key argument}}."""
    return [use for name in sources() for use in uses_in(Module.named(name), delegates)]


def uses_in(module: Module, delegates: dict[str, dict[str, int]]) -> list[Use]:
    """Every key use in one module."""
    found = []
    for node in ast.walk(module.tree):
        for key, how in _keys_at(module, node, delegates):
            for template in sorted(module.templates(key)) if isinstance(key, ast.expr) else [key]:
                found.append(Use(module.name, node.lineno, template, how))
    return found


def _keys_at(module: Module, node: ast.AST, delegates: dict[str, dict[str, int]]):
    """(key expression or template, how) for each key this node uses."""
    if isinstance(node, ast.Subscript) and _is_session_state(node.value):
        yield node.slice, "state"
    elif isinstance(node, ast.Compare) and any(_is_session_state(c) for c in node.comparators):
        yield node.left, "state"
    elif isinstance(node, ast.Attribute) and _is_session_state(node.value):
        parent = module.parents.get(node)
        if node.attr in ACCESSORS and isinstance(parent, ast.Call) and parent.args:
            yield parent.args[0], "state"
        elif node.attr not in ACCESSORS:  # st.session_state.name, or iterating over every key
            yield (node.attr if isinstance(parent, ast.Attribute | ast.Assign) else UNKNOWN), "state"
    elif isinstance(node, ast.Attribute) and node.attr == "session_state":
        parent = module.parents.get(node)
        if not isinstance(parent, ast.Subscript | ast.Attribute | ast.Compare):
            yield UNKNOWN, "state"  # the whole of it handed on: st.session_state passed or iterated
    elif isinstance(node, ast.Call):
        if _call_name(node.func) not in NOT_WIDGETS:
            for keyword in node.keywords:
                if keyword.arg == "key":
                    yield keyword.value, "widget"
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in module.imports:
            target = module.imports[func.value.id]
            position = delegates.get(target, {}).get(func.attr)
            if position is not None and position < len(node.args):
                yield node.args[position], "delegated"
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value == "key":
                yield value, "widget"
