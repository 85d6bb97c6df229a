"""Opens a running job's console page and the console's overview in headless Chromium, in two
tabs, and records (in the pages, with the browser's clock) when each shows the job finished —
the job page its state `success`, the overview one more succeeded job on the queue — without
reloading either page. Prints what it saw as JSON; keeps screenshots in a folder.

usage: console_live.py BASE_URL JOB_ID QUEUE SCREENSHOT_DIR
"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

WATCH = """
window.__marker = 'loaded once';
const [selector, above] = arguments;
const done = () => {
  const element = document.querySelector(selector);
  return element !== null && (above === null || Number(element.textContent) > above);
};
const check = () => { if (!window.__doneAt && done()) { window.__doneAt = Date.now(); } };
new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true});
check();
"""


def succeeded(driver, queue):
    # Read in one script: the live stream may replace the table between two webdriver calls.
    text = driver.execute_script(
        "const c = document.querySelector(arguments[0]); return c ? c.textContent : null;", f'tr[data-queue="{queue}"] td.succeeded'
    )
    return int(text) if text else 0


def job_state(driver):
    return driver.execute_script("const s = document.getElementById('job-state'); return s ? s.dataset.state : null;")


def main():
    base, job, queue, shots = sys.argv[1:]
    options = webdriver.ChromeOptions()
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1400",
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
    ]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{base}/jobs/{job}")
        job_tab = driver.current_window_handle
        state_at_load = job_state(driver)
        driver.execute_script(WATCH, "#job-state[data-state=success]", None)
        driver.switch_to.new_window("tab")
        driver.get(f"{base}/")
        overview_tab = driver.current_window_handle
        count_at_load = succeeded(driver, queue)
        cell = f'tr[data-queue="{queue}"] td.succeeded'
        driver.execute_script(WATCH, cell, count_at_load)
        driver.save_screenshot(os.path.join(shots, "overview-before.png"))
        seen = {}
        deadline = time.time() + 60
        while time.time() < deadline and len(seen) < 2:
            for name, tab in [("job", job_tab), ("overview", overview_tab)]:
                driver.switch_to.window(tab)
                at = driver.execute_script("return window.__doneAt || null;")
                if at and name not in seen:
                    seen[name] = {"at": at, "marker": driver.execute_script("return window.__marker || null;")}
            time.sleep(0.2)
        driver.switch_to.window(overview_tab)
        count_after = succeeded(driver, queue)
        driver.save_screenshot(os.path.join(shots, "overview.png"))
        driver.switch_to.window(job_tab)
        state_after = job_state(driver)
        driver.save_screenshot(os.path.join(shots, "job.png"))
        driver.get(f"{base}/jobs")
        rows = len(driver.find_elements(By.CSS_SELECTOR, "tr[data-job]"))
        driver.save_screenshot(os.path.join(shots, "jobs.png"))
        print(
            json.dumps(
                {
                    "stateAtLoad": state_at_load,
                    "stateAfter": state_after,
                    "countAtLoad": count_at_load,
                    "countAfter": count_after,
                    "seen": seen,
                    "jobRows": rows,
                }
            )
        )
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
