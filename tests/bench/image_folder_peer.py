# Peer of image_folder_bench: torchvision's ImageFolder + RandomResizedCrop + flip through a
# DataLoader (2 workers), one epoch, images/s; and `write DIR N` makes the photo folder.
import os, sys, time

import numpy as np
from PIL import Image


def write(root, n):
    rng = np.random.default_rng(1)
    sizes = [(320, 240), (300, 300), (240, 320)]
    for split, count in (("train", n), ("test", n // 5)):
        for i in range(count):
            cls = i % 10
            w, h = sizes[i % 3]
            y = np.linspace(0, 1, h)[:, None, None]
            x = np.linspace(0, 1, w)[None, :, None]
            base = 255 * (0.5 + 0.4 * np.sin(6.28 * (cls + 1) * (x + y) / 3 + np.arange(3)))
            img = np.clip(base + rng.normal(0, 12, (h, w, 3)), 0, 255).astype(np.uint8)
            path = os.path.join(root, split, f"class{cls}", f"{i:06d}.jpg")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            Image.fromarray(img).save(path, quality=90)


def run(root, c, h, w, batch, threads):
    import torch
    from torchvision import datasets, transforms
    torch.set_num_threads(threads)
    t = [transforms.RandomResizedCrop((h, w)), transforms.RandomHorizontalFlip()]
    if c == 1:
        t.append(transforms.Grayscale())
    t += [transforms.ToTensor(), transforms.Normalize([0.5] * c, [0.25] * c)]
    ds = datasets.ImageFolder(os.path.join(root, "train"), transforms.Compose(t))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=threads)
    t0 = time.perf_counter()
    images = sum(x.shape[0] for x, _ in loader)
    print(f"images={images} pipeline_img_s={images / (time.perf_counter() - t0):.0f}")


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], int(sys.argv[3]))
    else:
        run(sys.argv[2], *map(int, sys.argv[3:8]))
