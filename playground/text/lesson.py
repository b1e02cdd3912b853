"""Text of teacher links (lessons) and the shared sidebar tools."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "lesson",
    en={
        "teacher": "Teacher link",
        "teacher_help": "Fix this page's settings for a class: choose what students may not change, "
        "then copy the link and hand it out.",
        "lock": "Lock these controls",
        "model": "the model",
        "hide": "Hide locked controls",
        "compare": "Or compare these presets",
        "compare_help": "Pick 2 to 4 presets: the link opens the first, and the Train page offers to switch to each "
        "so that students train them in turn with the same settings and see their curves overlaid.",
        "link": "Link for students (opens this page with these settings):",
        "locked_help": "Set by your teacher's lesson link.",
        "lesson_active": "Lesson link: {count} setting(s) fixed by your teacher.",
        "broken": "The lesson link could not be read ({detail}); the defaults are shown instead.",
        "model_link_broken": "The link's model could not be read ({detail}); the default model is used instead.",
        "value_rejected": "The lesson link's value for the control below does not fit it; its default is shown.",
        "presentation": "Presentation mode (large type)",
        "presentation_help": "Larger text and charts for a projector.",
    },
    zh={
        "teacher": "教师链接",
        "teacher_help": "为课堂固定本页的设置：选择学生不能修改的内容，然后复制链接发给学生。",
        "lock": "锁定这些控件",
        "model": "模型",
        "hide": "隐藏被锁定的控件",
        "compare": "或者比较这些预设模型",
        "compare_help": "选择 2 到 4 个预设：链接先打开第一个，训练页面提供切换到每一个的按钮，"
        "让学生用相同的设置依次训练，并看到它们的曲线叠加在一起。",
        "link": "学生链接（以这些设置打开本页）：",
        "locked_help": "由老师的课程链接设定。",
        "lesson_active": "课程链接：老师固定了 {count} 项设置。",
        "broken": "无法读取课程链接（{detail}）；改为显示默认设置。",
        "model_link_broken": "无法读取链接中的模型（{detail}）；改为使用默认模型。",
        "value_rejected": "课程链接给下面这个控件的值不合适；改为显示默认值。",
        "presentation": "演示模式（大字号）",
        "presentation_help": "为投影仪放大文字和图表。",
    },
)
