"""Text of the loss functions page."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "losses",
    en={
        "title": "Loss functions",
        "intro": (
            "A loss function turns “how wrong is this prediction?” into one number. Training changes the weights to "
            "make it smaller, and the gradient of the loss, how it changes when the prediction changes, is what "
            "drives every update. Values and gradients here come from `keras.losses` and automatic differentiation."
        ),
        "classification_title": "Classification: one digit, 10 classes",
        "true_class": "True class",
        "mode": "Prediction",
        "mode_spread": "Drag the true class's probability",
        "mode_vector": "Set all 10 probabilities",
        "p_true": "Predicted probability of the true class",
        "spread_note": "The other nine classes share the rest equally.",
        "class_weight": "Class {c}",
        "vector_note": "The ten values are scaled to sum to 1 before the losses see them.",
        "confident_note": (
            "Move the probability towards 0, a confident mistake: cross-entropy (−log p) grows without limit and its "
            "slope becomes steep, while the squared error never exceeds 1 and stays gentle. Cross-entropy punishes a "
            "confident mistake far harder, which is why classifiers use it."
        ),
        "col_loss": "Loss",
        "col_value": "Value",
        "col_slope_p": "Slope d loss / d p",
        "col_gradient_true": "∂loss/∂p(true class)",
        "loss_mean_squared_error": "Mean squared error",
        "loss_mean_absolute_error": "Mean absolute error",
        "loss_categorical_crossentropy": "Cross-entropy",
        "loss_categorical_hinge": "Hinge (categorical)",
        "uses_title": "When each is used",
        "use_mean_squared_error": "**Mean squared error (MSE)**: regression, predicting numbers; big errors count "
        "far more than small ones.",
        "use_mean_absolute_error": "**Mean absolute error (MAE)**: regression when outliers must not dominate; every "
        "error counts in proportion to its size.",
        "use_categorical_crossentropy": "**Cross-entropy**: classification with a softmax output; the usual choice, "
        "and the loss of the seed article's model.",
        "use_categorical_hinge": "**Hinge**: classification by a margin, as in support vector machines; zero once the "
        "true class is ahead of every other by at least 1.",
        "regression_title": "Regression with an outlier: MSE or MAE",
        "outlier": "The outlier's y (the orange diamond)",
        "regression_note": (
            "Each line is the best fit for its loss, found by `keras.optimizers.Adam`. MSE squares each error, so the "
            "outlier pulls its line hard; MAE counts each error as it is, and its line stays with the other points. "
            "Right: each point's share of the pull, |∂loss/∂prediction|."
        ),
        "col_slope": "Slope",
        "col_intercept": "Intercept",
        "col_fit_mse": "Its MSE",
        "col_fit_mae": "Its MAE",
        "fig_loss_vs_p": "Loss as p(true class) changes",
        "fig_slope_vs_p": "Slope d loss / d p",
        "fig_p_true": "p(true class)",
        "fig_loss": "loss",
        "fig_loss_slope": "slope",
        "fig_prediction": "Predicted probabilities",
        "fig_gradient_per_class": "∂loss/∂p per class",
        "fig_class": "class",
        "fig_probability": "probability",
        "fig_gradient": "gradient",
        "fig_fit": "Best line for each loss",
        "fig_pull": "Each point's share of the pull",
        "fig_points": "points",
        "fig_outlier": "outlier",
        "fig_point_number": "point",
        "fig_pull_share": "share",
        "link_build": "Pick the loss of a real model in the compile settings on the Build page",
        "link_train": "Watch the loss fall while a model trains on the Train page",
    },
    zh={
        "title": "损失函数",
        "intro": (
            "损失函数把“这个预测错得有多离谱？”变成一个数字。训练就是调整权重让它变小，而损失的梯度——预测改变时损失如何"
            "变化——驱动着每一次更新。这里的数值和梯度都由 `keras.losses` 和自动微分算出。"
        ),
        "classification_title": "分类：一个数字，10 个类别",
        "true_class": "真实类别",
        "mode": "预测",
        "mode_spread": "拖动真实类别的概率",
        "mode_vector": "设置全部 10 个概率",
        "p_true": "预测为真实类别的概率",
        "spread_note": "其余九个类别平分剩下的概率。",
        "class_weight": "类别 {c}",
        "vector_note": "十个数值会先缩放到总和为 1，再交给损失函数。",
        "confident_note": (
            "把概率拖向 0，也就是“自信地犯错”：交叉熵（−log p）无限增大，斜率变得很陡；而均方误差最多为 1，变化平缓。"
            "交叉熵对自信的错误惩罚重得多，这正是分类模型使用它的原因。"
        ),
        "col_loss": "损失函数",
        "col_value": "数值",
        "col_slope_p": "斜率 d损失/dp",
        "col_gradient_true": "∂损失/∂p(真实类别)",
        "loss_mean_squared_error": "均方误差",
        "loss_mean_absolute_error": "平均绝对误差",
        "loss_categorical_crossentropy": "交叉熵",
        "loss_categorical_hinge": "合页损失（多类别）",
        "uses_title": "各自的用途",
        "use_mean_squared_error": "**均方误差（MSE）**：回归，即预测数值；大误差比小误差重要得多。",
        "use_mean_absolute_error": "**平均绝对误差（MAE）**：不希望离群点主导时的回归；每个误差按大小成比例计入。",
        "use_categorical_crossentropy": "**交叉熵**：配合 softmax 输出的分类；最常用的选择，也是原文模型使用的损失函数。",
        "use_categorical_hinge": "**合页损失**：按间隔分类，如支持向量机；当真实类别比其他类别都高出至少 1 时为零。",
        "regression_title": "带离群点的回归：均方误差还是平均绝对误差",
        "outlier": "离群点的 y 值（橙色菱形）",
        "regression_note": (
            "每条直线都是对应损失函数下的最佳拟合，由 `keras.optimizers.Adam` 求得。均方误差把每个误差平方，离群点会"
            "用力拉动它的直线；平均绝对误差按原样计入每个误差，它的直线仍贴着其他点。右图：每个点在拉力中所占的份额，"
            "即 |∂损失/∂预测值|。"
        ),
        "col_slope": "斜率",
        "col_intercept": "截距",
        "col_fit_mse": "其均方误差",
        "col_fit_mae": "其平均绝对误差",
        "fig_loss_vs_p": "损失随 p(真实类别) 的变化",
        "fig_slope_vs_p": "斜率 d损失/dp",
        "fig_p_true": "p(真实类别)",
        "fig_loss": "损失",
        "fig_loss_slope": "斜率",
        "fig_prediction": "预测概率",
        "fig_gradient_per_class": "各类别的 ∂损失/∂p",
        "fig_class": "类别",
        "fig_probability": "概率",
        "fig_gradient": "梯度",
        "fig_fit": "每种损失函数的最佳直线",
        "fig_pull": "每个点所占的拉力份额",
        "fig_points": "数据点",
        "fig_outlier": "离群点",
        "fig_point_number": "点",
        "fig_pull_share": "份额",
        "link_build": "在“搭建模型”页的编译设置中为真实模型选择损失函数",
        "link_train": "在“训练”页观察模型训练时损失如何下降",
    },
)
