FROM bbox:1
CMD ["a", 1]
