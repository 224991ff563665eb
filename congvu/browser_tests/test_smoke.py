def test_the_public_home_page_renders_in_chromium(live_server, page, screenshot, db):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Văn hóa công vụ"
    screenshot("home-public")
