"""Opens a parked flow's console page in headless Chromium, reads its graph, approves the gate
from the page with a note, and waits (live updates, no reload by the script) until the graph
shows the step after the gate succeeded. Prints what it saw as JSON; keeps screenshots.

usage: console_gate.py BASE_URL FLOW_ID SCREENSHOT_DIR
"""

import json
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

STATES = """
const states = {};
for (const node of document.querySelectorAll('svg.flow-graph g.node')) {
  const key = node.dataset.module + '@' + node.dataset.frame;
  states[key] = node.dataset.gateState ? node.dataset.state + '/' + node.dataset.gateState : node.dataset.state;
}
const columns = {};
for (const column of document.querySelectorAll('svg.flow-graph g.column')) {
  columns[column.dataset.label] = column.dataset.taken || 'iteration';
}
return {states, columns};
"""


def main():
    base, flow, shots = sys.argv[1:]
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1600"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(f"{base}/gates")
        gates_rows = len(driver.find_elements(By.CSS_SELECTOR, "tr[data-gate]"))
        driver.save_screenshot(os.path.join(shots, "gates.png"))
        driver.get(f"{base}/jobs/{flow}")
        before = driver.execute_script(STATES)
        driver.save_screenshot(os.path.join(shots, "flow.png"))
        # The live part may be replaced (its stream's first update) between finding the field and
        # typing in it; once the field has the focus, updates wait. Find it again if it went stale.
        for attempt in range(5):
            try:
                note = driver.find_element(By.CSS_SELECTOR, "section.gate form.approve input[name=note]")
                note.click()
                note.send_keys("from the browser")
                driver.find_element(By.CSS_SELECTOR, "section.gate form.approve button").click()
                break
            except StaleElementReferenceException:
                if attempt == 4:
                    raise
                time.sleep(0.2)
        after = None
        deadline = time.time() + 60
        while time.time() < deadline:
            after = driver.execute_script(STATES)
            if after["states"].get("after@r") == "success":
                break
            time.sleep(0.2)
        driver.save_screenshot(os.path.join(shots, "flow-approved.png"))
        print(json.dumps({"gatesRows": gates_rows, "before": before, "after": after, "url": driver.current_url}))
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
