# Clones the service's repository into /workspace/repo at the pinned commit (or the branch head).
# Runs in the init container; re-runs from scratch whenever the pod starts again.
set -eu
rm -rf /workspace/repo
if [ -d /etc/git-credentials ]; then
  if [ -f /etc/git-credentials/ssh-privatekey ]; then
    mkdir -p /tmp/ssh && cp /etc/git-credentials/ssh-privatekey /tmp/ssh/key && chmod 600 /tmp/ssh/key
    known=/etc/git-credentials/known_hosts
    if [ -f "$known" ]; then
      export GIT_SSH_COMMAND="ssh -i /tmp/ssh/key -o IdentitiesOnly=yes -o UserKnownHostsFile=$known -o StrictHostKeyChecking=yes"
    else
      export GIT_SSH_COMMAND="ssh -i /tmp/ssh/key -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes"
    fi
  fi
  if [ -f /etc/git-credentials/password ] || [ -f /etc/git-credentials/token ]; then
    # The credential helper reads the files at use, so the secret never appears in a process's argv.
    git config --global credential.helper '!f() { echo "username=$(cat /etc/git-credentials/username 2>/dev/null || echo git)"; echo "password=$(cat /etc/git-credentials/password 2>/dev/null || cat /etc/git-credentials/token)"; }; f'
  fi
fi
if [ -n "${GIT_COMMIT:-}" ]; then
  git clone --no-checkout ${GIT_BRANCH:+--branch "$GIT_BRANCH"} "$GIT_REPO" /workspace/repo
  git -C /workspace/repo checkout --detach "$GIT_COMMIT"
else
  git clone --depth 1 ${GIT_BRANCH:+--branch "$GIT_BRANCH"} "$GIT_REPO" /workspace/repo
fi
git -C /workspace/repo log -1 --format='cloned %H'
