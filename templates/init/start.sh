#!/bin/bash
# Starts {{name}}. kubectl-microservice runs this script from the root of the repository; when
# the pod restarts, it runs again from the top, so keep every step safe to repeat.
set -e
PROJECT_DIR="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

cd "$PROJECT_DIR"

# Parameters arrive as environment variables (model-name → MODEL_NAME), secrets as
# HYPERPLANE_CUSTOM_SECRET_KEY_<KEY> and as files under /etc/hyperplane/secrets/.
if [ -f requirements.txt ]; then
    pip install -r requirements.txt
fi

# Serve on the port of service.yaml. Until there is an app.py, serve this directory.
if [ -f app.py ]; then
    exec python ./app.py
fi
exec python -m http.server 8787
