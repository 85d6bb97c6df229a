"""Opens a Sluice approval page in headless Chromium, fills its form like a person would, clicks
Approve, and prints what the browser then shows, as JSON.

usage: approve_in_browser.py URL SCREENSHOT.png name=value ...
  a value of `check` ticks a checkbox, `select:<option>` picks an option, anything else is typed.
"""

import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait


def main():
    url, screenshot, *fields = sys.argv[1:]
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,1400"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(url)
        title = driver.title
        prefilled = {}
        for element in driver.find_elements(By.CSS_SELECTOR, "form input[type=text], form input[type=number], form textarea"):
            prefilled[element.get_attribute("name")] = element.get_attribute("value")
        options_seen = {}
        for element in driver.find_elements(By.TAG_NAME, "select"):
            options_seen[element.get_attribute("name")] = [o.get_attribute("value") for o in element.find_elements(By.TAG_NAME, "option")]
        for field in fields:
            name, value = field.split("=", 1)
            element = driver.find_element(By.NAME, name)
            if value == "check":
                if not element.is_selected():
                    element.click()
            elif value.startswith("select:"):
                Select(element).select_by_value(value[len("select:") :])
            else:
                element.clear()
                element.send_keys(value)
        driver.save_screenshot(screenshot)
        old_heading = driver.find_element(By.TAG_NAME, "h1")
        driver.find_element(By.XPATH, "//button[starts-with(normalize-space(.), 'Approve')]").click()
        # Wait for the answer page to replace this one, then read its heading.
        try:
            WebDriverWait(driver, 10).until(conditions.staleness_of(old_heading))
        except Exception:
            invalid = {
                e.get_attribute("name"): e.get_attribute("validationMessage")
                for e in driver.find_elements(By.CSS_SELECTOR, "input, select, textarea")
                if e.get_attribute("validationMessage")
            }
            actions = [f.get_attribute("action") for f in driver.find_elements(By.TAG_NAME, "form")]
            raise SystemExit(f"the form was not submitted: page {driver.current_url}, actions {actions}, invalid fields {invalid}") from None
        heading = WebDriverWait(driver, 10).until(conditions.presence_of_element_located((By.TAG_NAME, "h1")))
        print(
            json.dumps(
                {
                    "title": title,
                    "prefilled": prefilled,
                    "options": options_seen,
                    "heading": heading.text,
                    "after": driver.find_element(By.TAG_NAME, "main").text,
                }
            )
        )
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
