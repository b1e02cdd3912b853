"""The Data page shows the bundled sample's counts and samples, offline."""

import pytest


def test_data_page_shows_the_offline_sample(app_test):
    app = app_test("views/data.py")
    assert not app.exception
    values = {m.label: m.value for m in app.metric}
    assert values == {"Training images": "4,000", "Test images": "1,000", "Classes": "10", "Image size": "28×28×1"}
    assert any("Offline" in i.value for i in app.info)
    assert app.selectbox(key="data_page_dataset").options == ["MNIST sample (5,000 digits, offline)"]


def test_data_page_in_chinese(app_test):
    app = app_test("views/data.py", lang="zh")
    assert app.title[0].value == "数据"
    assert {m.label for m in app.metric} == {"训练图像", "测试图像", "类别数", "图像尺寸"}


@pytest.mark.e2e
def test_browser_data_page_shows_counts_chart_and_samples(page, server_url):
    page.goto(server_url + "/data")
    page.get_by_text("Images per class").wait_for()
    page.locator("[data-testid='stPlotlyChart']").first.wait_for()
    page.locator("[data-testid='stImage'] img").first.wait_for()
    assert page.get_by_test_id("stMetricValue").first.inner_text() == "4,000"
