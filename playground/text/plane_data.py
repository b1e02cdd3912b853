"""Messages about a learner's own 2-D data: a rule written as a formula, or an uploaded table."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "plane_data",
    en={
        # write a rule
        "rule_empty": "Write a rule, for example `x1**2 + x2**2 < 4` (two classes) or `x1 * x2` (a value).",
        "rule_too_long": "The rule is longer than {limit} characters ({length}): shorten it.",
        "rule_syntax": "The rule is not a formula I can read: check near character {column}.",
        "rule_incomplete": "The rule stops too early: something is missing at its end.",
        "rule_unclosed": "The bracket at character {column} is never closed.",
        "rule_unopened": "The bracket at character {column} closes nothing.",
        "rule_single_equals": "A single = is not a comparison: write `==` (or `<`, `>`, `<=`, `>=`).",
        "rule_caret": "`^` is not a power here: write `**`, for example `x1**2`.",
        "rule_not_allowed": "`{what}` is not allowed: use only `{allowed}`.",
        "rule_unknown_name": "Use x1 and x2 for the point's coordinates (and pi, e), not `{name}`.",
        "rule_unknown_function": "`{name}` is not a function a rule can use: use one of `{functions}`.",
        "rule_function_name": "`{name}` is a function: give it a value in brackets, for example `{name}(x1)`.",
        "rule_arity": "`{name}` takes {count} value(s) in its brackets, for example `{example}`.",
        "rule_too_deep": "The rule is nested too deeply (more than {limit} levels): simplify it.",
        "rule_too_big": "The rule has too many parts (more than {limit} names, numbers and operations): simplify it.",
        "rule_exponent_too_large": "The exponent {exponent} is too large (at most {limit}).",
        "rule_exponent_not_number": (
            "An exponent must be a number written in the rule, for example `x1**2`; for other powers use `exp` and `log`."
        ),
        "rule_number_too_large": "The number {number} is too large (at most {limit}).",
        "rule_needs_number": "`{what}` needs numbers, but one side is a comparison (true or false).",
        "rule_needs_condition": "`{what}` needs comparisons such as `x1 > 0` (true or false), not numbers.",
        "rule_if_mixed": "Both results of `… if … else …` must be numbers, or both must be comparisons.",
        "rule_undefined": (
            "The rule gives no number at some points, for example at x1 = {x1}, x2 = {x2} (a division by zero, the "
            "log or square root of a negative number, or a value too large)."
        ),
        "rule_nowhere": (
            "The rule gives no number at any point (a division by zero, the log or square root of a negative "
            "number, or a value too large)."
        ),
        "rule_rarely_true": (
            "The rule is true at {count} of {total} points, but each class needs at least {minimum}: make the region "
            "where it holds larger."
        ),
        "rule_rarely_false": (
            "The rule is false at {count} of {total} points, but each class needs at least {minimum}: make the region "
            "where it holds smaller."
        ),
        "rule_constant": "The rule gives the same value ({value}) at every point: there is nothing to learn.",
        "rule_count": "The number of points must be from {low} to {high}.",
        # upload a table
        "table_too_large": "The file is larger than {mb} MB.",
        "table_empty": "The file is empty.",
        "table_not_utf8": "The file is not UTF-8 text (row {row}): save it as “CSV UTF-8”.",
        "table_not_table": "The file is not a CSV or TSV table (row {row}).",
        "table_few_columns": (
            "The table has {count} column(s) but needs at least three (two features and a label), separated by "
            "commas, tabs or semicolons."
        ),
        "table_too_many_columns": "The table has {count} columns; at most {limit} are allowed.",
        "table_ragged": "Row {row} has {found} value(s), but the first row names {expected} columns.",
        "table_too_many_rows": "The table has more than {limit} rows of data.",
        "table_no_rows": "The table has a first row of column names but no rows of data.",
        "table_blank_header": "Column {number} has no name in the first row.",
        "table_duplicate_header": "Two columns are named `{name}`: give each column its own name.",
        "table_no_header": "The first row holds numbers, but it must name the columns (for example `x1,x2,label`).",
        "table_unknown_column": "The table has no column `{name}`.",
        "table_same_column": "Choose three different columns: two features and a label.",
        "table_too_few_rows": "The table has {count} rows of data; at least {minimum} are needed.",
        "table_missing": "Row {row} has no value in column `{column}`.",
        "table_not_number": "Row {row}, column `{column}`: `{value}` is not a number.",
        "table_value_too_large": "Row {row}, column `{column}`: the number is too large (at most {limit}).",
        "table_constant": "Column `{column}` has the same value ({value}) in every row: choose another column.",
        "table_one_class": "Column `{column}` holds only one class (`{name}`); a classifier needs at least two.",
        "table_too_many_classes": (
            "Column `{column}` holds {count} different labels, but at most {limit} classes are allowed: choose "
            "regression for a numeric value, or another column."
        ),
        "table_too_few": (
            "Class `{name}` has only {count} row(s); each class needs at least {minimum} (one to train on, one to test)."
        ),
    },
    zh={
        # 写规则
        "rule_empty": "请写一条规则，例如 `x1**2 + x2**2 < 4`（两个类别）或 `x1 * x2`（一个数值）。",
        "rule_too_long": "规则超过 {limit} 个字符（现有 {length} 个）：请缩短。",
        "rule_syntax": "无法读取这条规则：请检查第 {column} 个字符附近。",
        "rule_incomplete": "规则没有写完：结尾缺了内容。",
        "rule_unclosed": "第 {column} 个字符处的括号没有闭合。",
        "rule_unopened": "第 {column} 个字符处的右括号没有对应的左括号。",
        "rule_single_equals": "单个 = 不是比较：请写 `==`（或 `<`、`>`、`<=`、`>=`）。",
        "rule_caret": "这里的 `^` 不表示乘方：请写 `**`，例如 `x1**2`。",
        "rule_not_allowed": "不允许使用 `{what}`：只能使用 `{allowed}`。",
        "rule_unknown_name": "点的坐标请用 x1 和 x2（以及常数 pi、e），不能用 `{name}`。",
        "rule_unknown_function": "`{name}` 不是规则可用的函数：请使用 `{functions}` 之一。",
        "rule_function_name": "`{name}` 是函数：请在括号里给它一个值，例如 `{name}(x1)`。",
        "rule_arity": "`{name}` 的括号里需要 {count} 个值，例如 `{example}`。",
        "rule_too_deep": "规则嵌套太深（超过 {limit} 层）：请简化。",
        "rule_too_big": "规则的组成部分太多（名称、数字和运算超过 {limit} 个）：请简化。",
        "rule_exponent_too_large": "指数 {exponent} 太大（最多为 {limit}）。",
        "rule_exponent_not_number": "指数必须是直接写出的数字，例如 `x1**2`；其他乘方请用 `exp` 和 `log`。",
        "rule_number_too_large": "数字 {number} 太大（最多为 {limit}）。",
        "rule_needs_number": "`{what}` 需要数值，但其中一边是比较（真或假）。",
        "rule_needs_condition": "`{what}` 需要像 `x1 > 0` 这样的比较（真或假），而不是数值。",
        "rule_if_mixed": "`… if … else …` 的两个结果必须都是数值，或都是比较。",
        "rule_undefined": (
            "规则在某些点上得不到数值，例如在 x1 = {x1}、x2 = {x2} 处（除以零、对负数取对数或开平方，或数值过大）。"
        ),
        "rule_nowhere": "规则在任何点上都得不到数值（除以零、对负数取对数或开平方，或数值过大）。",
        "rule_rarely_true": "规则只在 {total} 个点中的 {count} 个点上成立，但每个类别至少需要 {minimum} 个点：请把成立的区域扩大。",
        "rule_rarely_false": "规则只在 {total} 个点中的 {count} 个点上不成立，但每个类别至少需要 {minimum} 个点：请把成立的区域缩小。",
        "rule_constant": "规则在每个点上都给出相同的值（{value}）：没有可学习的内容。",
        "rule_count": "点的数量必须在 {low} 到 {high} 之间。",
        # 上传表格
        "table_too_large": "文件超过 {mb} MB。",
        "table_empty": "文件是空的。",
        "table_not_utf8": "文件不是 UTF-8 文本（第 {row} 行）：请另存为“CSV UTF-8”。",
        "table_not_table": "文件不是 CSV 或 TSV 表格（第 {row} 行）。",
        "table_few_columns": "表格只有 {count} 列，至少需要三列（两个特征和一个标签），用逗号、制表符或分号分隔。",
        "table_too_many_columns": "表格有 {count} 列；最多允许 {limit} 列。",
        "table_ragged": "第 {row} 行有 {found} 个值，但第一行列出了 {expected} 列。",
        "table_too_many_rows": "表格的数据超过 {limit} 行。",
        "table_no_rows": "表格的第一行是列名，但没有数据行。",
        "table_blank_header": "第 {number} 列在第一行中没有名称。",
        "table_duplicate_header": "有两列都叫 `{name}`：请给每一列起不同的名称。",
        "table_no_header": "第一行是数字，但它必须是列名（例如 `x1,x2,label`）。",
        "table_unknown_column": "表格中没有 `{name}` 这一列。",
        "table_same_column": "请选择三个不同的列：两个特征和一个标签。",
        "table_too_few_rows": "表格只有 {count} 行数据；至少需要 {minimum} 行。",
        "table_missing": "第 {row} 行的 `{column}` 列没有值。",
        "table_not_number": "第 {row} 行 `{column}` 列：`{value}` 不是数字。",
        "table_value_too_large": "第 {row} 行 `{column}` 列：数字太大（最多为 {limit}）。",
        "table_constant": "`{column}` 列每一行的值都相同（{value}）：请选择另一列。",
        "table_one_class": "`{column}` 列只有一个类别（`{name}`）；分类器至少需要两个类别。",
        "table_too_many_classes": "`{column}` 列有 {count} 种不同的标签，但最多允许 {limit} 个类别：数值请选择回归，或选择另一列。",
        "table_too_few": "类别 `{name}` 只有 {count} 行；每个类别至少需要 {minimum} 行（一行用于训练，一行用于测试）。",
    },
)
