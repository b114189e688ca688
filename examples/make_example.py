"""Makes examples/fashion_mnist from ../shared/data (run from the repository root)."""
import gzip

with gzip.open("../shared/data/fashion_mnist_pool.csv.gz", "rt") as f:
    pool = f.readlines()
with gzip.open("examples/fashion_mnist/pool/pool.csv.gz", "wt") as f:
    f.write(pool[0])
    f.writelines(pool[1::19][:3000])  # every 19th row keeps the class mix
with gzip.open("../shared/data/fashion_mnist_labeled.csv.gz", "rt") as f:
    labeled = f.readlines()
with gzip.open("examples/fashion_mnist/labeled/labeled.csv.gz", "wt") as f:
    f.write(labeled[0])
    f.writelines(labeled[1:201])
