import shutil, subprocess, time
from test_dags import airflow_env, run_dags_in_one_process, REFERENCE, AIRFLOW

def test_smoke(make_database, synthetic_dir, tmp_path):
    landing = tmp_path / "landing"
    for c in REFERENCE:
        shutil.copytree(synthetic_dir / c, landing / c)
    env = airflow_env(tmp_path / "airflow", make_database("airflow"), make_database("dagwh"), landing)
    t = time.time()
    subprocess.run([str(AIRFLOW), "db", "migrate"], env=env, check=True, capture_output=True)
    print("migrate", time.time() - t)
    t = time.time()
    runs = run_dags_in_one_process([f"ingest_{c}" for c in REFERENCE] + ["ingest_nope"], env, tmp_path / "w0")
    print("wave", time.time() - t, len(REFERENCE))
    for r in runs:
        print(r.dag_id, r.state, len(r.output))
    print(runs[-1].output[-1500:])
    print(runs[0].output[-1500:])
    assert all(r.succeeded for r in runs[:-1])
