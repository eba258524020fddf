"""Test PKI for the fake kube-apiserver, made with the `openssl` CLI, and kubeconfig writing.

    from certs import make_pki, write_kubeconfig
    pki = make_pki(tmpdir)      # dict: ca, ca_key, server_cert, server_key, client_cert, client_key (paths)

The server certificate is valid for 127.0.0.1, ::1 and localhost; the client certificate has CN=test-user
and O=system:masters. Everything is written below the given directory, which the caller removes.
"""
import base64
import os
import subprocess

__all__ = ["make_pki", "write_kubeconfig"]


def _openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, timeout=30,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def make_pki(directory, client_cn="test-user", client_org="system:masters"):
    os.makedirs(directory, exist_ok=True)
    d = directory
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
             "-subj", "/CN=fakeapi-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign,digitalSignature", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost\n")
    with open(os.path.join(d, "client.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=clientAuth\n")
    for name, subj in (("server", "/CN=kube-apiserver"), ("client", "/O=%s/CN=%s" % (client_org, client_cn))):
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                 "-subj", subj, cwd=d)
        _openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                 "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext", cwd=d)
    p = lambda n: os.path.join(d, n)  # noqa: E731
    return {"ca": p("ca.crt"), "ca_key": p("ca.key"), "server_cert": p("server.crt"), "server_key": p("server.key"),
            "client_cert": p("client.crt"), "client_key": p("client.key"), "dir": d}


def _q(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_kubeconfig(path, server, ca=None, token=None, client_cert=None, client_key=None, namespace="default",
                     insecure=False, embed=True, context="fake"):
    """Writes a one-context kubeconfig. With embed=True files are inlined as *-data (base64 PEM)."""
    def data(p):
        with open(p, "rb") as f:
            return base64.b64encode(f.read()).decode()

    cluster = ["    server: %s" % _q(server)]
    if ca:
        cluster.append("    certificate-authority-data: %s" % data(ca) if embed else
                       "    certificate-authority: %s" % _q(ca))
    if insecure:
        cluster.append("    insecure-skip-tls-verify: true")
    user = []
    if token:
        user.append("    token: %s" % _q(token))
    if client_cert:
        user.append("    client-certificate-data: %s" % data(client_cert) if embed else
                    "    client-certificate: %s" % _q(client_cert))
        user.append("    client-key-data: %s" % data(client_key) if embed else "    client-key: %s" % _q(client_key))
    text = "\n".join([
        "apiVersion: v1", "kind: Config", "preferences: {}",
        "clusters:", "- name: %s" % context, "  cluster:"] + cluster + [
        "users:", "- name: %s" % context, "  user:" + ("" if user else " {}")] + user + [
        "contexts:", "- name: %s" % context, "  context:", "    cluster: %s" % context, "    user: %s" % context,
        "    namespace: %s" % _q(namespace), "current-context: %s" % context, ""])
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path
