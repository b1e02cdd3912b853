"""Text of the My models page: download and upload a trained model, bring your own images, what is kept."""

from playground.i18n import Catalogue

CATALOGUE = Catalogue(
    "models",
    en={
        "title": "My models",
        "intro": "Take a trained model with you, bring one back, or train on images of your own. Your runs and "
        "trained model survive a page reload.",
        # the trained model
        "section_model": "Your trained model",
        "no_model": "No trained model yet. Train one on the Train page, or upload a model bundle below.",
        "go_train": "Go to the Train page",
        "model_facts": "**{summary}** · {params} parameters · {epochs} epochs on {dataset} · test accuracy {accuracy}",
        "download_bundle": "Download bundle (.zip)",
        "download_bundle_help": "spec.json, the weights and optimizer state as .npz arrays, the history and metadata "
        "with versions. Upload it here later to continue training or to inspect it.",
        "download_keras": "Download for Keras (.keras)",
        "download_keras_help": "The same model for plain Keras 3: `keras.models.load_model('model.keras')`.",
        "keras_usage": "Use the .keras file in plain Keras (inputs: grey images scaled to 0–1, shape {shape}):",
        "open_draw": "Inspect it on the Draw page",
        "continue_train": "Continue training it on the Train page",
        # uploading a model
        "section_upload": "Upload a model bundle",
        "upload_label": "Model bundle (.zip)",
        "upload_help": "A bundle downloaded from this playground, up to {mb} MB. It is checked against the layer "
        "catalogue and the weights' shapes; no code in it is ever run.",
        "upload_ok": "Loaded as run {run}: {summary}. The Draw page now inspects it, and the Train page can continue "
        "training it.",
        "upload_refused": "This file was not loaded, and nothing changed: {detail}",
        "upload_busy": "A training job is running. Stop it or let it finish before loading another model.",
        # own images
        "section_data": "Your own images",
        "data_intro": "Zip a folder with one sub-folder per class (for example `cats/`, `dogs/`) holding PNG or JPEG "
        "images of any size: up to {images} images, {classes} classes and {mb} MB. Every image becomes a grey "
        "{size}×{size} picture, light on dark like the canvas.",
        "data_label": "Image set (.zip)",
        "data_size": "Image size",
        "data_size_help": "Each image is resized to this many pixels a side: the model's input.",
        "data_reading": "Reading the images…",
        "data_refused": "This image set cannot be used: {detail}",
        "data_summary": "{images} images in {classes} classes: {train} for training, {test} held out for testing.",
        "data_preview": "Examples of every class",
        "class_caption": "{name} ({count} images)",
        "data_use": "Use these images for training",
        "data_ready": "“{title}” is ready: pick it as the dataset on the Train page.",
        "data_not_kept": "“{title}” could not be kept: with what this browser keeps already it would pass the "
        "{mb} MB each browser may keep (Start fresh below frees it), or the server cannot store it now.",
        "data_adapt": "Fit the current model to these images",
        "data_adapt_help": "Sets the model's input to {size}×{size}×1 and its last Dense layer to {classes} units.",
        "data_adapted": "The model now takes {size}×{size}×1 images and ends in {classes} classes.",
        "data_cannot_adapt": "The current model does not end in a Dense layer; change it on the Build page to end "
        "in {classes} units.",
        "data_fits": "The current model fits these images ({classes} classes).",
        "own_dataset_label": "{title} (your images)",
        "data_kept": "Your image sets on this server, ready on the Train page: {names}.",
        # what is kept
        "section_saved": "Kept for this browser",
        "saved_intro": "Your runs, trained model and uploaded images are kept on this server for {days} days under "
        "an anonymous key that only this browser holds; reloading the page brings them back. Other browsers and "
        "computers cannot see them: download a bundle to carry a model elsewhere.",
        "saved_none": "Nothing is kept yet: train a model or upload one.",
        "saved_size": "Stored on the server for this browser: {kb} kB.",
        "col_run": "Run",
        "col_model": "Model",
        "col_dataset": "Data",
        "col_epochs": "Epochs",
        "col_state": "State",
        "col_accuracy": "Test accuracy",
        "fresh": "Start fresh",
        "fresh_help": "Forget every run, the trained model and the uploaded images of this browser, here and on "
        "the server.",
        "fresh_confirm": "Forget all runs, the trained model and the uploaded images of this browser? This cannot be "
        "undone.",
        "fresh_yes": "Yes, forget everything",
        "fresh_done": "Started fresh: nothing of the earlier work is kept.",
        # notices of the session store
        "restored": "Welcome back: your work was restored (runs: {runs}).",
        "notice_model_too_large": "The trained model is too large to keep on the server; download it to keep it.",
        "notice_save_failed": "Your work could not be saved on the server just now; download your model to keep it.",
    },
    zh={
        "title": "我的模型",
        "intro": "把训练好的模型带走，或把它带回来，也可以用你自己的图片训练。刷新页面后，训练记录和训练好的模型都还在。",
        "section_model": "你训练好的模型",
        "no_model": "还没有训练好的模型。请在训练页训练一个，或在下方上传模型包。",
        "go_train": "前往训练页",
        "model_facts": "**{summary}** · {params} 个参数 · 在 {dataset} 上训练了 {epochs} 轮 · 测试准确率 {accuracy}",
        "download_bundle": "下载模型包（.zip）",
        "download_bundle_help": "包含 spec.json、以 .npz 数组保存的权重和优化器状态、训练历史，以及带版本号的元数据。"
        "以后可以在这里上传它，继续训练或查看模型。",
        "download_keras": "下载 Keras 模型（.keras）",
        "download_keras_help": "同一个模型，可在普通 Keras 3 中使用：`keras.models.load_model('model.keras')`。",
        "keras_usage": "在普通 Keras 中使用 .keras 文件（输入：缩放到 0–1 的灰度图，形状 {shape}）：",
        "open_draw": "在手写识别页查看它",
        "continue_train": "在训练页继续训练它",
        "section_upload": "上传模型包",
        "upload_label": "模型包（.zip）",
        "upload_help": "从本游乐场下载的模型包，最大 {mb} MB。上传时会按层目录和权重形状逐项检查，包里的任何代码都不会被执行。",
        "upload_ok": "已载入为第 {run} 次训练：{summary}。手写识别页现在查看的就是它，训练页也可以继续训练它。",
        "upload_refused": "该文件没有被载入，一切保持不变：{detail}",
        "upload_busy": "有训练任务正在运行。请先停止它或等它结束，再载入其他模型。",
        "section_data": "你自己的图片",
        "data_intro": "把一个文件夹压缩成 zip，其中每个类别一个子文件夹（例如 `cats/`、`dogs/`），放入任意尺寸的 PNG 或 JPEG "
        "图片：最多 {images} 张图片、{classes} 个类别、{mb} MB。每张图片都会变成 {size}×{size} 的灰度图，像画板一样是深色背景上的浅色笔画。",
        "data_label": "图片集（.zip）",
        "data_size": "图片尺寸",
        "data_size_help": "每张图片都缩放为边长这么多像素：即模型的输入。",
        "data_reading": "正在读取图片……",
        "data_refused": "无法使用这个图片集：{detail}",
        "data_summary": "{classes} 个类别共 {images} 张图片：{train} 张用于训练，{test} 张留作测试。",
        "data_preview": "每个类别的示例",
        "class_caption": "{name}（{count} 张）",
        "data_use": "用这些图片训练",
        "data_ready": "“{title}”已就绪：请在训练页把它选为数据集。",
        "data_not_kept": "无法保存“{title}”：加上这个浏览器已保存的内容，会超过每个浏览器可保存的 {mb} MB"
        "（下方的“重新开始”可以释放空间），或者服务器现在无法保存。",
        "data_adapt": "让当前模型适配这些图片",
        "data_adapt_help": "把模型的输入设为 {size}×{size}×1，并把最后一个全连接层设为 {classes} 个神经元。",
        "data_adapted": "模型现在接收 {size}×{size}×1 的图片，输出 {classes} 个类别。",
        "data_cannot_adapt": "当前模型不是以全连接层（Dense）结尾；请在搭建页把它改为以 {classes} 个神经元结尾。",
        "data_fits": "当前模型适合这些图片（{classes} 个类别）。",
        "own_dataset_label": "{title}（你的图片）",
        "data_kept": "你在这台服务器上的图片集，可在训练页选用：{names}。",
        "section_saved": "为这个浏览器保存的内容",
        "saved_intro": "你的训练记录、训练好的模型和上传的图片会在这台服务器上保存 {days} 天，只有这个浏览器持有的匿名密钥才能取回；"
        "刷新页面后它们都会回来。其他浏览器和电脑看不到它们：要在别处使用模型，请下载模型包。",
        "saved_none": "还没有保存任何内容：先训练或上传一个模型吧。",
        "saved_size": "服务器上为这个浏览器保存了 {kb} kB。",
        "col_run": "训练",
        "col_model": "模型",
        "col_dataset": "数据",
        "col_epochs": "轮数",
        "col_state": "状态",
        "col_accuracy": "测试准确率",
        "fresh": "重新开始",
        "fresh_help": "在本机和服务器上忘掉这个浏览器的所有训练记录、训练好的模型和上传的图片。",
        "fresh_confirm": "要忘掉这个浏览器的所有训练记录、训练好的模型和上传的图片吗？此操作无法撤销。",
        "fresh_yes": "是的，全部忘掉",
        "fresh_done": "已重新开始：之前的内容都不再保存。",
        "restored": "欢迎回来：你的工作已恢复（共 {runs} 次训练）。",
        "notice_model_too_large": "训练好的模型太大，无法保存在服务器上；请下载保存。",
        "notice_save_failed": "暂时无法把你的工作保存到服务器；请下载模型以免丢失。",
    },
)
