/**
 * Small-order X25519 u-coordinates (the blocklist of libsodium / cr.yp.to/ecdh.html#validate): 0, 1,
 * the two order-8 points, p - 1, p, p + 1, and the same with the ignored top bit set. Every X25519
 * user must refuse them (noise-attacks, double-ratchet and native-curves tests).
 */
export const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000080',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b880',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
];
