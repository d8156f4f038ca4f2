"""Lambda layers (developer guide, "Managing Lambda dependencies with layers"): versions are
published, listed newest first and deleted; a function's layers are merged in order into /opt,
where the Python runtime finds python/ and the Node.js runtime nodejs/node_modules/."""
import json
import unittest

import botocore.exceptions

from test_lambda_support import LambdaTestCase, make_zip

LAYER_ARN = "arn:aws:lambda:us-east-1:000000000000:layer:"


class LayersTest(LambdaTestCase):
    def publish(self, name, files, **kw):
        return self.lam.publish_layer_version(LayerName=name, Content={"ZipFile": make_zip(files)},
                                              **kw)

    def test_publish_get_list_delete(self):
        v1 = self.publish("libs", {"python/a.py": "A = 1\n"}, Description="one",
                          CompatibleRuntimes=["python3.11", "python3.12"])
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(v1["Version"], 1)
        self.assertEqual(v1["LayerArn"], LAYER_ARN + "libs")
        self.assertEqual(v1["LayerVersionArn"], LAYER_ARN + "libs:1")
        self.assertEqual(v1["Content"]["CodeSize"], len(make_zip({"python/a.py": "A = 1\n"})))
        v2 = self.publish("libs", {"python/a.py": "A = 2\n"}, CompatibleRuntimes=["nodejs20.x"])
        self.assertEqual(v2["Version"], 2)
        got = self.lam.get_layer_version(LayerName="libs", VersionNumber=1)
        self.assertEqual(got["Description"], "one")
        self.assertEqual(self.lam.get_layer_version_by_arn(Arn=LAYER_ARN + "libs:2")["Version"], 2)
        self.assertEqual([v["Version"] for v in
                          self.lam.list_layer_versions(LayerName="libs")["LayerVersions"]], [2, 1])
        self.assertEqual([v["Version"] for v in self.lam.list_layer_versions(
            LayerName="libs", CompatibleRuntime="python3.12")["LayerVersions"]], [1])
        layers = self.lam.list_layers()["Layers"]
        self.assertEqual([(l["LayerName"], l["LatestMatchingVersion"]["Version"]) for l in layers],
                         [("libs", 2)])
        self.lam.delete_layer_version(LayerName="libs", VersionNumber=2)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.lam.get_layer_version(LayerName="libs", VersionNumber=2)
        self.assertAwsError(ctx, "ResourceNotFoundException", 404)
        # Numbers are never reused.
        self.assertEqual(self.publish("libs", {"python/b.py": ""})["Version"], 3)

    def test_python_function_imports_from_its_layers_in_order(self):
        base = self.publish("base", {"python/helper.py": "WHO = 'base'\n",
                                     "python/only_base.py": "X = 1\n"})["LayerVersionArn"]
        over = self.publish("over", {"python/helper.py": "WHO = 'over'\n"})["LayerVersionArn"]
        code = ("import helper, only_base\n"
                "def handler(e, c):\n    return [helper.WHO, only_base.X]\n")
        r = self.create("uses-layers", {"app.py": code}, "app.handler", Layers=[base, over])
        self.assertEqual([l["Arn"] for l in r["Layers"]], [base, over])
        self.assertEqual(set(r["Layers"][0]), {"Arn", "CodeSize"})
        out = json.loads(self.lam.invoke(FunctionName="uses-layers")["Payload"].read())
        self.assertEqual(out, ["over", 1])

    def test_node_function_requires_from_a_layer(self):
        layer = self.publish("greet", {"nodejs/node_modules/greet/index.js":
                                       "module.exports = (n) => 'hello ' + n;"})
        code = "const greet = require('greet');\nexports.handler = async (e) => greet(e.n);"
        self.create("js-layer", {"index.js": code}, "index.handler", runtime="nodejs20.x",
                    Layers=[layer["LayerVersionArn"]])
        out = json.loads(self.lam.invoke(FunctionName="js-layer",
                                         Payload=b'{"n": "ada"}')["Payload"].read())
        self.assertEqual(out, "hello ada")

    def test_unknown_layer_and_too_many(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("fn", {"app.py": ""}, "app.handler", Layers=[LAYER_ARN + "ghost:1"])
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertEqual(err["Error"]["Message"],
                         "Layer version %sghost:1 does not exist." % LAYER_ARN)
        arn = self.publish("l", {"python/x.py": ""})["LayerVersionArn"]
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("fn", {"app.py": ""}, "app.handler", Layers=[arn] * 6)
        err = self.assertAwsError(ctx, "InvalidParameterValueException", 400)
        self.assertEqual(err["Error"]["Message"], "Cannot reference more than 5 layers.")

    def test_update_configuration_adds_and_removes_layers(self):
        arn = self.publish("cfg", {"python/cfgmod.py": "V = 7\n"})["LayerVersionArn"]
        self.create("fn", {"app.py": "def handler(e, c):\n    import cfgmod\n    return cfgmod.V\n"},
                    "app.handler")
        self.lam.update_function_configuration(FunctionName="fn", Layers=[arn])
        self.assertEqual(self.lam.invoke(FunctionName="fn")["Payload"].read(), b"7")
        r = self.lam.update_function_configuration(FunctionName="fn", Layers=[])
        self.assertNotIn("Layers", r)


if __name__ == "__main__":
    unittest.main()
