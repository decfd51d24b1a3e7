// Request attributes as the API server's RequestInfoFactory derives them, with the cases of its own tests
// (k8s.io/apiserver/pkg/endpoints/request/requestinfo_test.go: TestGetAPIRequestInfo, TestGetNonAPIRequestInfo,
// TestFieldSelectorParsing) transcribed as they are there.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { requestAttributes } from "../../../../sim/kube/auth/request-attributes.ts";

const at = (method: string, path: string) => requestAttributes(method, new URL(path, "https://sim.invalid"));

describe("RequestInfoFactory", () => {
  test("TestGetAPIRequestInfo: verb, group, version, namespace, resource, subresource and name", () => {
    // method, url, verb, group, version, namespace, resource, subresource, name
    const cases: [string, string, string, string, string, string, string, string, string][] = [
      ["GET", "/api/v1/namespaces", "list", "", "v1", "", "namespaces", "", ""],
      ["GET", "/api/v1/namespaces/other", "get", "", "v1", "other", "namespaces", "", "other"],
      ["GET", "/api/v1/namespaces/other/pods", "list", "", "v1", "other", "pods", "", ""],
      ["GET", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo"],
      ["HEAD", "/api/v1/namespaces/other/pods/foo", "get", "", "v1", "other", "pods", "", "foo"],
      ["GET", "/api/v1/pods", "list", "", "v1", "", "pods", "", ""],
      ["HEAD", "/api/v1/pods", "list", "", "v1", "", "pods", "", ""],
      ["PATCH", "/api/v1/namespaces/new-namespace", "patch", "", "v1", "", "namespaces", "", "new-namespace"],
      ["GET", "/api/v1/proxy/namespaces/other/pods/foo", "proxy", "", "v1", "other", "pods", "", "foo"],
      [
        "GET",
        "/api/v1/proxy/namespaces/other/pods/foo/subpath/not/a/subresource",
        "proxy",
        "",
        "v1",
        "other",
        "pods",
        "",
        "foo",
      ],
      ["GET", "/api/v1/watch/pods", "watch", "", "v1", "", "pods", "", ""],
      ["GET", "/api/v1/pods?watch=true", "watch", "", "v1", "", "pods", "", ""],
      ["GET", "/api/v1/pods?watch=false", "list", "", "v1", "", "pods", "", ""],
      ["GET", "/api/v1/watch/namespaces/other/pods", "watch", "", "v1", "other", "pods", "", ""],
      ["GET", "/api/v1/namespaces/other/pods?watch=1", "watch", "", "v1", "other", "pods", "", ""],
      ["GET", "/api/v1/namespaces/other/pods?watch=0", "list", "", "v1", "other", "pods", "", ""],
      ["GET", "/api/v1/namespaces/other/pods/foo/status", "get", "", "v1", "other", "pods", "status", "foo"],
      ["GET", "/api/v1/namespaces/other/pods/foo/proxy/subpath", "get", "", "v1", "other", "pods", "proxy", "foo"],
      ["PUT", "/api/v1/namespaces/other/finalize", "update", "", "v1", "other", "namespaces", "finalize", "other"],
      ["PUT", "/api/v1/namespaces/other/status", "update", "", "v1", "other", "namespaces", "status", "other"],
      ["PATCH", "/api/v1/namespaces/other/pods/foo", "patch", "", "v1", "other", "pods", "", "foo"],
      ["DELETE", "/api/v1/namespaces/other/pods/foo", "delete", "", "v1", "other", "pods", "", "foo"],
      ["POST", "/api/v1/namespaces/other/pods", "create", "", "v1", "other", "pods", "", ""],
      ["DELETE", "/api/v1/nodes", "deletecollection", "", "v1", "", "nodes", "", ""],
      ["DELETE", "/api/v1/namespaces", "deletecollection", "", "v1", "", "namespaces", "", ""],
      ["DELETE", "/api/v1/namespaces/other/pods", "deletecollection", "", "v1", "other", "pods", "", ""],
      [
        "DELETE",
        "/apis/extensions/v1/namespaces/other/pods",
        "deletecollection",
        "extensions",
        "v1",
        "other",
        "pods",
        "",
        "",
      ],
      ["POST", "/apis/extensions/v1/namespaces/other/pods", "create", "extensions", "v1", "other", "pods", "", ""],
      [
        "POST",
        "/apis/extensions/v1beta3/namespaces/other/pods",
        "create",
        "extensions",
        "v1beta3",
        "other",
        "pods",
        "",
        "",
      ],
    ];
    for (const [method, url, verb, apiGroup, apiVersion, namespace, resource, subresource, name] of cases) {
      assert.deepEqual(
        at(method, url),
        { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name },
        `${method} ${url}`,
      );
    }
  });

  test("TestGetAPIRequestInfo's error cases and TestGetNonAPIRequestInfo: which paths are resource requests", () => {
    const nonResource = [
      "/",
      "/api/version/",
      "/apis/group/version/",
      "/badprefix/version/resource",
      "/apis/version/resource",
      "/not-api/version/resource",
      "/apis/extensions/v1beta1",
      "/apis/extensions/v1beta1/",
      "/api/version",
      "/api",
    ];
    for (const path of nonResource)
      assert.deepEqual(at("GET", path), { resourceRequest: false, verb: "get", path }, path);
    const resource = [
      "/api/version/resource",
      "/apis/group/version/resource/name/subresource",
      "/api/version/resource/name/subresource",
      "/apis/batch/v1/job",
      "/apis/batch/v1/job/foo",
      "/apis/batch/v1/job/foo/scale",
    ];
    for (const path of resource) assert.equal(at("GET", path).resourceRequest, true, path);
  });

  test("TestFieldSelectorParsing: a metadata.name selector names the object of a list or watch", () => {
    const cases: [string, string, string][] = [
      ["/apis/group/version/resource", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1", "name1", "list"],
      ["/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1", "name1", "watch"],
      ["/apis/group/version/resource?fieldSelector=foo=bar", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo", "", "list"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true", "", "watch"],
      ["/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false", "", "list"],
    ];
    for (const [url, name, verb] of cases) {
      const attributes = at("GET", url);
      assert.ok(attributes.resourceRequest);
      assert.deepEqual([attributes.name, attributes.verb], [name, verb], url);
    }
  });
});
