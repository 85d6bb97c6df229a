"""Opens console pages in headless Chromium, keeps a screenshot of each, and prints, as JSON, each
page's title, whether the given secret appears anywhere in what the browser holds (the DOM and
every response it fetched for the page, as far as the page's text shows), and a few DOM facts.

usage: console_pages.py BASE_URL SCREENSHOT_DIR SECRET PATH...
"""

import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def main():
    base, shots, secret, *paths = sys.argv[1:]
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1100"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    seen = {}
    try:
        for path in paths:
            driver.get(base + path)
            name = path.strip("/").split("?")[0].replace("/", "-") or "overview"
            driver.save_screenshot(os.path.join(shots, name + ".png"))
            source = driver.page_source
            inputs = [e.get_attribute("value") or "" for e in driver.find_elements(By.CSS_SELECTOR, "input, textarea")]
            seen[path] = {
                "title": driver.title,
                "h1": driver.find_element(By.TAG_NAME, "h1").text,
                "secretShown": secret in source or any(secret in value for value in inputs),
                "fields": [e.get_attribute("name") for e in driver.find_elements(By.CSS_SELECTOR, "#run-form [name^='in.']")],
                "passwordFields": len(driver.find_elements(By.CSS_SELECTOR, "input[type=password]")),
            }
        print(json.dumps(seen))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
